import { inject } from 'vitest';

// The server global-setup.ts starts once for every file that needs no settings of its own. It
// trusts one proxy hop, so each test's browsers and API calls are clients of their own
// (X-Forwarded-For).

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    authSecret: string;
    dataDir: string;
  }
}

export const baseUrl = () => inject('baseUrl');
export const authSecret = () => inject('authSecret');
/** Holds its database (`app.db`), outbox and log (`server.log`). */
export const dataDir = () => inject('dataDir');
