import { clientAddress } from './browser';

export type ApiResult = { status: number; body: any; headers: Headers };

/**
 * One call to the JSON API of the server at `baseUrl`, from a client address of its own unless
 * `ip` says otherwise (the test servers trust one proxy hop).
 */
export async function apiCall(
  baseUrl: string,
  method: string,
  path: string,
  /** `raw`: a body sent as it is (declared JSON), for malformed ones. */
  options: { token?: string; body?: unknown; raw?: string; ip?: string; headers?: Record<string, string> } = {},
): Promise<ApiResult> {
  const headers: Record<string, string> = { 'x-forwarded-for': options.ip ?? clientAddress(), ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    redirect: 'manual',
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the assertions will say so
  }
  return { status: response.status, body, headers: response.headers };
}
