import 'server-only';
import { busy, databaseUnavailable } from '@/lib/account/failure';
import { HashingBusyError } from '@/lib/auth/password';
import { errorLine, isDatabaseUnavailable, logUnavailable } from '@/lib/db/client';
import { env } from '@/lib/env';
import { inRequestScope, runAfterAnswer, setCookieHeader } from '@/lib/request-scope';
import { ApiError, errorResponse, failureError, hardeningHeaders, notFound } from './errors';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];
type Params = Record<string, string>;
export type Handler = (request: Request, params: Params) => Promise<Response>;
/** One path's handlers, by method. */
export type Methods = Partial<Record<Method, Handler>>;

const isMethod = (method: string): method is Method => (METHODS as readonly string[]).includes(method);

/**
 * The one pipeline every API request goes through, around its path's handlers: every other method
 * gets a JSON 405 with `Allow` (HEAD is GET without the body), OPTIONS answers CORS preflights
 * (for CORS_ORIGINS only), anything thrown becomes the API's error shape — a database out of reach
 * a 503 `unavailable`, an unexpected error a plain 500, never a stack trace — and every answer gets
 * CORS and the cookies the use-cases set (the hardening headers and HSTS come with every answer
 * errors.ts makes). Work the use-cases defer (mail) starts once the answer is out.
 */
export function apiRoute(handlers: Methods): Handler {
  const allowed = [...METHODS.filter((m) => handlers[m]), ...(handlers.GET ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  return (request, params) =>
    inRequestScope(request, async (scope) => {
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const cors = corsHeaders(request);
      let response: Response;
      if (method === 'OPTIONS') {
        const preflight: Record<string, string> = cors['Access-Control-Allow-Origin']
          ? { 'Access-Control-Allow-Methods': allowed, 'Access-Control-Allow-Headers': 'Authorization, Content-Type', 'Access-Control-Max-Age': '600' }
          : {};
        response = new Response(null, { status: 204, headers: { ...hardeningHeaders(), Allow: allowed, ...preflight } });
      } else {
        try {
          const handler = isMethod(method) ? handlers[method] : undefined;
          if (!handler) throw new ApiError(405, 'method_not_allowed', `${method} is not allowed here. Allowed: ${allowed}.`, { headers: { Allow: allowed } });
          response = await handler(request, params);
        } catch (error) {
          response = errorResponse(error instanceof ApiError ? error : unexpected(error));
        }
      }
      // Only when there is something to add: a Response's headers, once read, are a Headers object
      // the adapter must copy out again.
      if (cors['Access-Control-Allow-Origin'] || scope.cookieWrites.length > 0) {
        const { headers } = response;
        for (const [name, value] of Object.entries(cors)) headers.set(name, value);
        for (const write of scope.cookieWrites) headers.append('Set-Cookie', setCookieHeader(write));
      }
      runAfterAnswer(scope);
      return response;
    });
}

/** Every method on a path that doesn't exist: a JSON 404. */
export function unknownRoute(): Handler {
  const missing = async (): Promise<Response> => {
    throw notFound();
  };
  return apiRoute({ GET: missing, POST: missing, PUT: missing, PATCH: missing, DELETE: missing });
}

/** Anything thrown that is not an ApiError, as the API answers it. */
export const unexpectedErrorResponse = (error: unknown): Response => errorResponse(unexpected(error));

function unexpected(error: unknown): ApiError {
  if (error instanceof HashingBusyError) return failureError(busy(error.retryAfterSeconds));
  // Down, restarting or frozen: a 503 the client may retry, not a 500.
  if (isDatabaseUnavailable(error)) {
    logUnavailable('api', error);
    return failureError(databaseUnavailable());
  }
  // Logged for the operator without request data; the client learns only that it failed.
  console.error(`[api] unexpected error: ${errorLine(error)}`);
  return new ApiError(500, 'internal_error', 'Something went wrong on our side. Please try again.');
}

function corsHeaders(request: Request): Record<string, string> {
  const origin = request.headers.get('origin');
  if (!origin || !env().CORS_ORIGINS.includes(origin)) return {};
  // Bearer tokens only: no Allow-Credentials, so a listed origin still can't ride on the cookie.
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'WWW-Authenticate, Retry-After', Vary: 'Origin' };
}
