import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Every temporary folder of the run (the tests', the servers', PostgreSQL's, Chromium's) goes
// under one that is removed when the run ends, so a run leaves nothing in /tmp even where a test
// forgets to clean up. Traversable by all: the throw-away PostgreSQL runs as its own user. The
// config is read again in other processes of the run; the one that made the folder removes it.
// E2E_KEEP_DATA=1 keeps it, with the servers' data folders, for a look afterwards.
if (!process.env.GATEHOUSE_TEST_TMP) {
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-tests-'));
  fs.chmodSync(runTmp, 0o711);
  process.env.GATEHOUSE_TEST_TMP = process.env.TMPDIR = runTmp;
  process.once('exit', () => {
    if (process.env.E2E_KEEP_DATA === '1') console.log(`Kept the run's temporary folders in ${runTmp}`);
    else removeRunTmp(runTmp);
  });
}

// The workers' Chromium ends with them, and its last processes can still be writing to their
// profile under runTmp: a removal that meets a folder filled again (ENOTEMPTY) tries again a
// moment later. rmSync's own maxRetries does not pause between tries on Linux. A run whose tests
// passed does not fail on what is only cleanup.
function removeRunTmp(runTmp: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return fs.rmSync(runTmp, { recursive: true, force: true });
    } catch (error) {
      if (attempt === 20) return console.warn(`Could not remove the run's temporary folder ${runTmp}: ${(error as Error).message}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

export default defineConfig({
  resolve: {
    alias: {
      '@': path.resolve(import.meta.dirname),
      // 'server-only' throws outside Next's server bundle; tests are server code.
      'server-only': path.resolve(import.meta.dirname, 'tests/support/server-only.ts'),
    },
  },
  test: {
    // A file per core, in every project: Vitest's default keeps one core for itself, which sat
    // idle here. For the browser files one more filled the stretches where files wait (servers
    // starting, timeouts, mail) and saved about 30 s, but made two of nine runs fail on timing
    // and console checks under the extra load.
    maxWorkers: os.availableParallelism(),
    // Transformed modules kept on disk (node_modules/.experimental-vitest-cache) for the next run,
    // keyed by each file's content: the unit and e2e runs transform the same files, and every unit
    // file's fork waited on those transforms at its start. Vitest 5 makes it a regular option.
    experimental: { fsModuleCache: true },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // Real bcrypt compares, dozens at once in the bursts and races: on a busy two-core
          // machine a test takes more than the default 5 s.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          // The data layer and the use-cases again, on PostgreSQL: one throw-away cluster for the
          // run, a database of its own per file (tests/support/database.ts).
          name: 'unit-pg',
          include: ['tests/unit/{sessions,profile,otp,limits,retention,two-step,identities}.test.ts'],
          globalSetup: ['tests/support/postgres-global.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Files run side by side on the shared server: each test is its own clients and users.
          // One module graph per worker: each file importing Playwright and the helpers afresh
          // cost 10-11 s of CPU a run, against 4 s. The files keep their state in their own
          // modules; what the helpers keep is keyed (context pools by browser, mail by path),
          // signing keys follow AUTH_SECRET when a file changes it, and the one thing they share
          // on purpose is the worker's browser (support/browser.ts).
          isolate: false,
        },
      },
    ],
  },
});
