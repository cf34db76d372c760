// Builds the production app when a file it is made from changed since the last build (or not at
// all with E2E_SKIP_BUILD=1), and starts the server the test files share
// (support/shared-server.ts), with a fresh database, secret and outbox.
import type { TestProject } from 'vitest/node';
import { ensureBuild, startServer } from './support/server';

export default async function setup(project: TestProject) {
  if (process.env.E2E_SKIP_BUILD !== '1') {
    try {
      ensureBuild('pipe');
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`the build failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
    }
  }
  // Behind one "proxy": every test browser and API call says which client it is (X-Forwarded-For),
  // so the per-IP limits apply to each as to a real visitor, and test files running side by side
  // never share a budget. tests/e2e/limits.test.ts runs a server without TRUST_PROXY.
  const server = await startServer({ TRUST_PROXY: '1' });
  project.provide('baseUrl', server.baseUrl);
  project.provide('authSecret', server.authSecret);
  project.provide('dataDir', server.dataDir);
  return () => server.stop();
}
