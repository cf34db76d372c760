import 'server-only';
import type { Failure, FieldErrors } from '@/lib/account/failure';
import { secureCookies } from '@/lib/auth/cookies';
import { HSTS, staticSecurityHeaders } from '@/lib/security/headers';

// Every API answer that is not a success has one shape:
// { "error": { "code": "...", "message": "...", "fields": { "<field>": "<message>" } } }


/**
 * An answer, thrown: never a fault, so it records no stack. Capturing one was a twentieth of a
 * refused request (6 µs), and refusals are what an attacker can send the most of.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { fields?: FieldErrors; headers?: Record<string, string> } = {},
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

let hardening: Record<string, string> | undefined;

/**
 * What every API answer carries, whoever makes it: the hardening headers pages get from
 * next.config.ts, and HSTS on a site served over https (fixed once the process has its settings).
 * Set as a plain record where each answer is made, which the Node adapter writes out as it is.
 */
export function hardeningHeaders(): Record<string, string> {
  hardening ??= {
    ...Object.fromEntries(staticSecurityHeaders().map(({ key, value }) => [key, value])),
    ...(secureCookies() ? { 'Strict-Transport-Security': HSTS } : {}),
  };
  return hardening;
}

/** JSON with `Cache-Control: no-store`: API answers carry tokens and personal data. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...hardeningHeaders(), 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  });
}

export function noContent(status = 204): Response {
  return new Response(null, { status, headers: { ...hardeningHeaders(), 'Cache-Control': 'no-store' } });
}

export function errorResponse(error: ApiError): Response {
  const { fields, headers } = error.extra;
  return json({ error: { code: error.code, message: error.message, ...(fields ? { fields } : {}) } }, error.status, headers);
}

export const validationFailed = (fields: FieldErrors, message = 'Some fields are invalid.') =>
  new ApiError(422, 'validation_failed', message, { fields });

export const notFound = () => new ApiError(404, 'not_found', 'There is nothing at this address.');

/** The same 403 whether or not the other account exists, so the API reveals nothing about it. */
export const notYours = () => new ApiError(403, 'forbidden', 'You can only read or change your own account.');

export const tooManyRequests = (retryAfterSeconds: number, message: string) =>
  new ApiError(429, 'too_many_requests', message, { headers: { 'Retry-After': String(retryAfterSeconds) } });

const UNAVAILABLE_CODES = { mail: 'mail_unavailable', busy: 'busy', database: 'unavailable' } as const;

/** A use-case's failure as the API says it: the status and code for its kind, its own message and fields. */
export function failureError(failure: Failure): ApiError {
  const { message, fields } = failure;
  switch (failure.kind) {
    case 'invalid':
      return validationFailed(fields ?? {}, message);
    case 'bad_credentials':
      return new ApiError(401, 'invalid_credentials', message);
    case 'taken':
      return new ApiError(409, `${failure.field}_taken`, message, { fields });
    case 'rate_limited':
      return tooManyRequests(failure.retryAfterSeconds, message);
    case 'conflict':
      return new ApiError(409, 'conflict', message);
    case 'session_ended':
      return new ApiError(401, 'session_ended', message);
    case 'email_unverified':
      return new ApiError(403, 'email_unverified', message);
    case 'second_step_expired':
      return new ApiError(401, 'invalid_token', message);
    case 'reauthentication_required':
      return new ApiError(403, 'reauthentication_required', message);
    case 'unavailable':
      return new ApiError(503, UNAVAILABLE_CODES[failure.reason], message, {
        headers: { 'Retry-After': String(failure.retryAfterSeconds) },
      });
  }
}
