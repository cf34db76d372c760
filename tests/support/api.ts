// A call to the JSON API as its clients make it, shared by the in-process tests (tests/unit) and
// the ones against a running server (tests/e2e): the same request, read back the same way.
import { expect } from 'vitest';
import { clientAddress } from './generators';

export type ApiOptions = {
  /** Sent as `Authorization: Bearer …`. */
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is (JSON's content type unless `headers` name another). */
  raw?: string;
  /** The client's address (X-Forwarded-For); a fresh one by default, so per-client limits never meet. */
  ip?: string;
  headers?: Record<string, string>;
};

export type ApiResult = { status: number; headers: Headers; text: string; body: any };

export function apiRequest(url: string, method: string, options: ApiOptions = {}): Request {
  const headers: Record<string, string> = { 'x-forwarded-for': options.ip ?? clientAddress(), ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = options.body === undefined ? options.raw : JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  return new Request(url, { method, headers, body, redirect: 'manual' });
}

/** The answer, its body parsed when it is JSON (else the text, which an assertion will show). */
export async function readResult(response: Response): Promise<ApiResult> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** An answer in the API's error shape, with this status and code, and no stack trace. */
export function expectError(result: ApiResult, status: number, code: string): void {
  expect({ status: result.status, code: result.body?.error?.code }).toEqual({ status, code });
  expect(typeof result.body.error.message).toBe('string');
  expect(JSON.stringify(result.body)).not.toMatch(/at .*\.(ts|js):\d+|stack/i);
}

/** The claims of a JWT, read without checking it. */
export const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
