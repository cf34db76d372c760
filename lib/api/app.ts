import 'server-only';
import { Hono } from 'hono';
import { forgotPassword, password, register, resendVerification, resetPasswordWithCode, verifyEmail } from './handlers/account';
import { health, openApi, ready } from './handlers/health';
import { logout, secondStep, token } from './handlers/session';
import { recoveryCodes, twoStep, twoStepConfirm } from './handlers/two-step';
import { emailChange, emailConfirm, me, user } from './handlers/users';
import { apiRoute, unexpectedErrorResponse, unknownRoute, type Methods } from './route';

// The JSON API's router. scripts/server.mjs hands it every request under /api/ before Next sees
// it: routing a call through Next costs about a millisecond, the call's own work tens of
// microseconds (docs/performance.md). Pages and server actions stay Next's.

/** Every path the API answers, with its handlers (`:name` is a path parameter). */
export const API_ROUTES: readonly (readonly [path: string, methods: Methods])[] = [
  ['/api/health', health],
  ['/api/health/ready', ready],
  ['/api/v1/openapi.json', openApi],
  ['/api/v1/auth/register', register],
  ['/api/v1/auth/token', token],
  ['/api/v1/auth/token/mfa', secondStep],
  ['/api/v1/auth/logout', logout],
  ['/api/v1/auth/password', password],
  ['/api/v1/auth/password/forgot', forgotPassword],
  ['/api/v1/auth/password/reset', resetPasswordWithCode],
  ['/api/v1/auth/email/verify', verifyEmail],
  ['/api/v1/auth/email/verify/resend', resendVerification],
  ['/api/v1/me', me],
  ['/api/v1/users/:username', user],
  ['/api/v1/users/:username/email', emailChange],
  ['/api/v1/users/:username/email/confirm', emailConfirm],
  ['/api/v1/users/:username/two-step', twoStep],
  ['/api/v1/users/:username/two-step/confirm', twoStepConfirm],
  ['/api/v1/users/:username/two-step/recovery-codes', recoveryCodes],
];

export const api = new Hono();
for (const [path, methods] of API_ROUTES) {
  const serve = apiRoute(methods);
  api.all(path, (c) => serve(c.req.raw, c.req.param()));
}
// Anything else under /api/: the API's JSON 404, not an HTML page.
const unknown = unknownRoute();
api.all('*', (c) => unknown(c.req.raw, {}));
// apiRoute() answers every error of a handler; this is for a failure of the pipeline itself, which
// gets the same plain 500 instead of Hono's text one.
api.onError(unexpectedErrorResponse);
