import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { cookies, headers } from 'next/headers';
import { after } from 'next/server';
import { serialize } from 'hono/utils/cookie';
import type { CookieOptions } from '@/lib/auth/cookies';
import { errorLine } from '@/lib/db/client';

// What the use-cases need from the request they serve: its headers, its cookies (read and set),
// and a way to do work once the answer is out. Pages and server actions run inside Next, which
// knows these (next/headers, after()); the JSON API runs in its own router (lib/api/app.ts), which
// opens a scope here for each request. One set of use-cases serves both.

export type CookieWrite = { name: string; value: string; options: CookieOptions };

export type RequestScope = {
  request: Request;
  /** Set by the use-cases, written onto the answer by the API's pipeline. */
  cookieWrites: CookieWrite[];
  /** Run once the answer is out (runAfterAnswer). */
  deferred: (() => Promise<unknown>)[];
};

const scopes = new AsyncLocalStorage<RequestScope>();

/** Serves one API request in its own scope (its headers, cookies, and deferred work). */
export function inRequestScope<T>(request: Request, serve: (scope: RequestScope) => Promise<T>): Promise<T> {
  const scope: RequestScope = { request, cookieWrites: [], deferred: [] };
  return scopes.run(scope, () => serve(scope));
}

const inFlight = new Set<Promise<void>>();

/**
 * Starts the scope's deferred work once the answer is on its way (the next turn of the event
 * loop): one task after another, in the scope; a failure is logged, not thrown.
 */
export function runAfterAnswer(scope: RequestScope): void {
  if (scope.deferred.length === 0) return;
  const work = new Promise((resolve) => setImmediate(resolve)).then(() =>
    scopes.run(scope, async () => {
      for (const task of scope.deferred) {
        try {
          await task();
        } catch (error) {
          console.error(`[api] work after the answer failed: ${errorLine(error)}`);
        }
      }
    }),
  );
  inFlight.add(work);
  void work.finally(() => inFlight.delete(work));
}

/** Resolves when the deferred work started so far has ended (a stopping server waits for it). */
export async function deferredWorkDone(): Promise<void> {
  while (inFlight.size > 0) await Promise.all(inFlight);
}

export async function requestHeaders(): Promise<Headers> {
  return scopes.getStore()?.request.headers ?? headers();
}

/** Cookie `name` from a Cookie header. */
export function cookieHeaderValue(header: string | null, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/** The request's cookie `name`. */
export async function requestCookie(name: string): Promise<string | undefined> {
  const scope = scopes.getStore();
  if (scope) return cookieHeaderValue(scope.request.headers.get('cookie'), name);
  return (await cookies()).get(name)?.value;
}

/** A cookie write as a Set-Cookie header, for answers built by hand (the API's, the provider routes'). */
export function setCookieHeader({ name, value, options }: CookieWrite): string {
  const { httpOnly, secure, path, maxAge } = options;
  return serialize(name, value, { httpOnly, secure, path, sameSite: 'Lax', ...(maxAge === undefined ? {} : { maxAge }) });
}

/** Where a use-case sets cookies on the answer (lib/auth/cookies.ts says which and how). */
export async function responseCookies(): Promise<{ set(name: string, value: string, options: CookieOptions): unknown }> {
  const scope = scopes.getStore();
  if (scope) return { set: (name, value, options) => scope.cookieWrites.push({ name, value, options }) };
  return cookies();
}

/**
 * Work that must not hold up the answer or change its timing (mail, mostly): a registered and an
 * unknown address answer alike.
 */
export function afterResponse(task: () => Promise<unknown>): void {
  const scope = scopes.getStore();
  if (scope) scope.deferred.push(task);
  else after(task);
}
