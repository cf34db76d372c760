// The API as scripts/server.mjs loads it: built into one file by scripts/build-api.mjs (it runs
// outside Next's bundler), with what the server needs besides.
import { getRequestListener } from '@hono/node-server';
import { api } from './app';

/** Answers one Node request. Web Request and Response objects, not global overrides: Next shares the process. */
export const handleApi = getRequestListener(api.fetch, { overrideGlobalObjects: false });

export { deferredWorkDone } from '@/lib/request-scope';
export { staticSecurityHeaders } from '@/lib/security/headers';
