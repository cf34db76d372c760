// The API as scripts/server.mjs loads it: built into one file by scripts/build-api.mjs (it runs
// outside Next's bundler), with what the server needs besides.
import { getRequestListener } from '@hono/node-server';
import { api } from './app';

/**
 * Answers one Node request. The adapter replaces the global Request and Response with its
 * lightweight twins (the default): an answer made from a string is written straight to the socket,
 * where a standard Response is read back through a stream first — a third of the API's time per
 * call (docs/performance.md). The twins become standard objects the moment anything asks more of
 * them than status, headers and body, and `instanceof` holds both ways, so Next's own uses in the
 * same process are unaffected (the whole browser suite runs on them).
 */
export const handleApi = getRequestListener(api.fetch);

export { deferredWorkDone } from '@/lib/request-scope';
export { personalCopyKey } from '@/lib/auth/page-copy';
export { hardeningHeaders } from './errors';
