import 'server-only';
import { redirect } from 'next/navigation';
import { databaseUnavailable } from '@/lib/account/failure';
import { isDatabaseUnavailable, logUnavailable } from '@/lib/db/client';
import { escapeHtml, plainPage } from '@/lib/plain-page';
import { safeNext } from '@/lib/routes';

// What a browser gets while the database is out of reach. A page can't answer 503 itself: a page
// whose render throws is a 500 (Next's error shell; error.tsx shows only once scripts run), and a
// render can choose no status but 404/403/401 and redirects (Next's docs: file-conventions/
// loading.md, "Status codes"). So a page that needs the database redirects to /unavailable, a
// route handler, which can.

/** `/unavailable?next=…`: where a page that couldn't reach the database sends the person. */
export function unavailableUrl(next?: string): string {
  return next ? `/unavailable?${new URLSearchParams({ next: safeNext(next, '/') })}` : '/unavailable';
}

/**
 * What the page at `path` reads from the database (after requireSession, which does the same for
 * the session): the database out of reach sends the person to the 503 page instead of a 500.
 * Pages only: an action's failure is its form's to show (lib/actions.ts).
 */
export async function pageQuery<T>(path: string, query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    logUnavailable('page', error);
    redirect(unavailableUrl(path));
  }
}

/** The 503 page: the failure's own sentence, Retry-After, and a way back to `next`. */
export function unavailablePage(next = '/'): Response {
  const { message, retryAfterSeconds } = databaseUnavailable();
  const html = plainPage({
    id: 'unavailable',
    title: 'Temporarily unavailable',
    heading: 'Temporarily unavailable',
    body: `<p>${escapeHtml(message)}</p><p><a href="${escapeHtml(safeNext(next, '/'))}">Try again</a></p>`,
  });
  return new Response(html, {
    status: 503,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Retry-After': String(retryAfterSeconds) },
  });
}
