// Pages for requests refused before any route runs. Edge-safe: the middleware answers with them.
import { plainPage } from '@/lib/plain-page';

/** A post to one of our pages that didn't come from this site (its Origin says another). */
export function crossOriginPage(): Response {
  const html = plainPage({
    title: 'Not from this site',
    heading: 'This form was not sent from this site',
    body: '<p>For your safety, forms are accepted only from the site’s own pages. Open the page again and send it from there.</p>',
  });
  return new Response(html, { status: 403, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
