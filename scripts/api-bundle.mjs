// The JSON API (lib/api/node.ts and what it imports) as one file scripts/server.mjs can load: Next
// compiles only what it routes, and the API runs in front of it (lib/api/app.ts says why).
// Packages stay outside the file, loaded by Node as they are installed.
import path from 'node:path';

// The app's folder, as Next takes it (the server's working directory).
const root = process.cwd();

/** Where the build writes it; the development server writes its own copy (devApiBundle). */
export const apiBundle = path.join(root, '.next/gatehouse/api.mjs');
export const devApiBundle = path.join(root, '.next/gatehouse-dev/api.mjs');

/** `server-only` refuses to load outside a React Server bundle; the API is server code. */
const serverOnly = {
  name: 'server-only',
  setup(build) {
    build.onResolve({ filter: /^server-only$/ }, () => ({ path: 'server-only', namespace: 'empty' }));
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: '', loader: 'js' }));
  },
};

/**
 * Next has no `exports` map, so Node's ESM loader needs its files' full names. Only pages and
 * actions call into Next (lib/request-scope.ts), but the API's modules are shared with them.
 */
const nextFiles = {
  name: 'next-files',
  setup(build) {
    build.onResolve({ filter: /^next\/[\w-]+$/ }, (args) => ({ path: `${args.path}.js`, external: true }));
  },
};

const options = (outfile, plugins = []) => ({
  absWorkingDir: root,
  entryPoints: ['lib/api/node.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // tsconfig.json leaves JSX to Next ("preserve"); the mail templates are JSX.
  jsx: 'automatic',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [serverOnly, nextFiles, ...plugins],
});

export async function buildApi() {
  // Loaded only to build: the production server reads the built file and needs no bundler.
  const esbuild = await import('esbuild');
  await esbuild.build(options(apiBundle));
}

/**
 * Development: builds now and again on every change to a file it includes; `onBuild` hears of each
 * build that succeeded (a failed rebuild prints its errors and keeps the last good file). Resolves
 * once the first build is written; rejects when it fails.
 */
export async function watchApi(onBuild) {
  const esbuild = await import('esbuild');
  let firstBuild;
  const built = new Promise((resolve, reject) => (firstBuild = { resolve, reject }));
  const rebuilt = {
    name: 'rebuilt',
    setup(build) {
      build.onEnd((result) => {
        if (result.errors.length === 0) onBuild();
        if (result.errors.length === 0) firstBuild.resolve();
        else firstBuild.reject(new Error('the API does not build (its errors are above)'));
      });
    },
  };
  const context = await esbuild.context(options(devApiBundle, [rebuilt]));
  await context.watch();
  await built;
  return context;
}
