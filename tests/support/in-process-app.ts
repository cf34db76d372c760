// The app inside the test process, for the HTTP contract of its JSON API without a server: each
// call goes to the route handler Next would pick (api-routes.ts), through next-request.ts, on an
// in-memory database, with mail in an outbox folder of its own. The test file must mock Next's
// modules as next-request.ts shows.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { store } from '@/lib/db/client';
import { apiRequest, type ApiOptions, type ApiResult } from './api';
import { routeFor } from './api-routes';
import { call } from './next-request';

export type InProcessApp = {
  /** Holds the outbox (tests/support/outbox.ts reads it). */
  dataDir: string;
  /** One call to `/api/v1${path}`, as apiCall makes it to a server. */
  api(method: string, path: string, options?: ApiOptions): Promise<ApiResult>;
  /** The app's own SQLite connection (never close it), to look at or to age records as time would. */
  db(): Database.Database;
};

/** Settles the app's settings (read once, on the first request); call it before any. */
export function inProcessApp(settings: Record<string, string> = {}): InProcessApp {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-unit-'));
  Object.assign(process.env, {
    DATABASE_URL: ':memory:',
    MAIL_OUTBOX_DIR: path.join(dataDir, 'outbox'),
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    // The lowest cost allowed, as on the test servers.
    BCRYPT_COST: '10',
    ...settings,
  });
  return {
    dataDir,
    async api(method, apiPath, options) {
      const url = `http://gatehouse.test/api/v1${apiPath}`;
      const { handler, params } = await routeFor(method, new URL(url).pathname);
      return call(handler, apiRequest(url, method, options), params);
    },
    db() {
      const current = store();
      if (current.engine !== 'sqlite') throw new Error('the in-process app runs on SQLite in memory');
      return current.sqlite;
    },
  };
}
