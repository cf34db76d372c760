import 'server-only';
import { busy, databaseUnavailable } from '@/lib/account/failure';
import { secureCookies } from '@/lib/auth/cookies';
import { HashingBusyError } from '@/lib/auth/password';
import { isDatabaseUnavailable } from '@/lib/db/client';
import { env } from '@/lib/env';
import { HSTS } from '@/lib/security/headers';
import { logUnavailable } from '@/lib/unavailable';
import { ApiError, errorResponse, failureError, notFound } from './errors';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];
type Params = Record<string, string | string[]>;
type Handler = (request: Request, params: Params) => Promise<Response>;
type RouteContext = { params: Promise<Params> };

/**
 * Turns one handler per method into the exports of a `route.ts`: every other method gets a JSON
 * 405 with `Allow`, OPTIONS answers CORS preflights (for CORS_ORIGINS only), and anything thrown
 * becomes the API's error shape — a database out of reach a 503 `unavailable`, an unexpected error
 * a plain 500, never a stack trace.
 */
export function apiRoute(handlers: Partial<Record<Method, Handler>>) {
  const allowed = [...METHODS.filter((m) => handlers[m]), ...(handlers.GET ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  const wrap = (method: Method | 'OPTIONS') => async (request: Request, context: RouteContext) => {
    const cors = corsHeaders(request);
    if (method === 'OPTIONS') {
      const preflight: Record<string, string> = cors['Access-Control-Allow-Origin']
        ? { 'Access-Control-Allow-Methods': allowed, 'Access-Control-Allow-Headers': 'Authorization, Content-Type', 'Access-Control-Max-Age': '600' }
        : {};
      return new Response(null, { status: 204, headers: { Allow: allowed, ...cors, ...preflight } });
    }
    let response: Response;
    try {
      const handler = handlers[method];
      if (!handler) throw new ApiError(405, 'method_not_allowed', `${method} is not allowed here. Allowed: ${allowed}.`, { headers: { Allow: allowed } });
      response = await handler(request, await context.params);
    } catch (error) {
      response = errorResponse(error instanceof ApiError ? error : unexpected(error));
    }
    for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    if (secureCookies()) response.headers.set('Strict-Transport-Security', HSTS);
    return response;
  };
  return {
    GET: wrap('GET'),
    POST: wrap('POST'),
    PUT: wrap('PUT'),
    PATCH: wrap('PATCH'),
    DELETE: wrap('DELETE'),
    OPTIONS: wrap('OPTIONS'),
  };
}

/** Every method on a path that doesn't exist: a JSON 404. */
export const unknownRoute = () => {
  const missing = async () => {
    throw notFound();
  };
  return apiRoute({ GET: missing, POST: missing, PUT: missing, PATCH: missing, DELETE: missing });
};

function unexpected(error: unknown): ApiError {
  if (error instanceof HashingBusyError) return failureError(busy(error.retryAfterSeconds));
  // Down, restarting or frozen: a 503 the client may retry, not a 500.
  if (isDatabaseUnavailable(error)) {
    logUnavailable('api', error);
    return failureError(databaseUnavailable());
  }
  // Logged for the operator without request data; the client learns only that it failed.
  console.error(`[api] unexpected error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  return new ApiError(500, 'internal_error', 'Something went wrong on our side. Please try again.');
}

function corsHeaders(request: Request): Record<string, string> {
  const origin = request.headers.get('origin');
  if (!origin || !env().CORS_ORIGINS.includes(origin)) return {};
  // Bearer tokens only: no Allow-Credentials, so a listed origin still can't ride on the cookie.
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'WWW-Authenticate, Retry-After', Vary: 'Origin' };
}
