// The app inside the test process, for the HTTP contract of its JSON API without a server: each
// call goes to the API's router (lib/api/app.ts) as a Web Request, on an in-memory database, with
// mail in an outbox folder of its own.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { api } from '@/lib/api/app';
import { store } from '@/lib/db/client';
import { deferredWorkDone } from '@/lib/request-scope';
import { apiRequest, readResult, type ApiOptions, type ApiResult } from './api';

/**
 * One request through the API's router, read in full; the work it left for after its answer
 * (mail) has run when this returns, so a test sees the mail a request sends, or knows it sent none.
 */
export async function serveApi(request: Request): Promise<ApiResult> {
  const result = await readResult(await api.fetch(request));
  await deferredWorkDone();
  return result;
}

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
      return serveApi(apiRequest(`http://gatehouse.test/api/v1${apiPath}`, method, options));
    },
    db() {
      const current = store();
      if (current.engine !== 'sqlite') throw new Error('the in-process app runs on SQLite in memory');
      return current.sqlite;
    },
  };
}
