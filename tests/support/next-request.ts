// What Next gives server code about the request it handles, for tests that call route handlers
// (or the use-cases behind them) in-process. A test file mocks Next's modules with this one:
//
//   vi.mock('next/headers', () => import('../support/next-request'));
//   vi.mock('next/server', () => import('../support/next-request'));
//
// `headers()` and `cookies()` then read the Request that `call()` is handling (concurrent calls
// each see their own), and work scheduled with `after()` runs once the handler has answered,
// before `call()` returns — so a test sees the mail a request sends, or knows it sent none.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readResult, type ApiResult } from './api';

type Scope = { request: Request; afterWork: (() => unknown)[] };
const scope = new AsyncLocalStorage<Scope>();

function current(): Scope {
  const found = scope.getStore();
  if (!found) throw new Error('next/headers or after() used outside call(): there is no request');
  return found;
}

export async function headers(): Promise<Headers> {
  return current().request.headers;
}

export async function cookies() {
  const sent = new Map<string, string>();
  for (const part of current().request.headers.get('cookie')?.split(';') ?? []) {
    const index = part.indexOf('=');
    if (index > 0) sent.set(part.slice(0, index).trim(), part.slice(index + 1).trim());
  }
  return { get: (name: string) => (sent.has(name) ? { name, value: sent.get(name)! } : undefined) };
}

export function after(task: () => unknown): void {
  current().afterWork.push(task);
}

export type RouteHandler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

/** Runs a route handler as Next would for `request` (with its dynamic segments as `params`), then its after() work. */
export async function call(handler: RouteHandler, request: Request, params: Record<string, string | string[]> = {}): Promise<ApiResult> {
  const handling: Scope = { request, afterWork: [] };
  const response = await scope.run(handling, () => handler(request, { params: Promise.resolve(params) }));
  const result = await readResult(response);
  await scope.run(handling, async () => {
    for (const task of handling.afterWork) await task();
  });
  return result;
}
