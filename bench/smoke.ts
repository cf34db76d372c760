// `npm run bench:smoke` (part of `npm test`): the three kinds of benchmark run — the main one,
// `--scaling` and `--engines` — each with a hundred requests per scenario, so none can rot. They
// run side by side: each spends a good part of its time starting servers and databases, and a
// smoke run's timings are never asserted. Each one's output is printed whole once it ends.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureBuild, root } from '../tests/e2e/support/server';

// Once, here: three runs finding a stale build would each start building into the same folder.
ensureBuild('inherit');

const tsx = path.join(root, 'node_modules/.bin/tsx');
const runs = [[], ['--scaling'], ['--engines']].map(
  (kind) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(tsx, ['--conditions=react-server', 'bench/run.ts', '--smoke', ...kind], {
        cwd: root,
        env: { ...process.env, BCRYPT_COST: '10' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.once('error', (error) => resolve({ code: null, output: `${output}${error}\n` }));
      child.once('exit', (code) => resolve({ code, output }));
    }),
);

void (async () => {
  for (const run of runs) {
    const { code, output } = await run;
    process.stdout.write(output);
    if (code !== 0) process.exitCode = 1;
  }
})();
