// globalSetup of the `unit-pg` project: one throw-away PostgreSQL cluster for the run; each test
// file makes a database of its own on it (tests/support/database.ts).
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres';

export default async function setup(project: TestProject) {
  const cluster = await startPostgres();
  project.provide('postgresAdminUrl', cluster.adminUrl);
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
