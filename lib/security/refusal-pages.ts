// Pages for requests refused before any route runs. Edge-safe: the middleware answers with them.

/** A post to one of our pages that didn't come from this site (its Origin says another). */
export function crossOriginPage(): Response {
  return new Response(
    '<!doctype html><meta charset="utf-8"><title>Not from this site</title><h1>This form was not sent from this site</h1>' +
      '<p>For your safety, forms are accepted only from the site’s own pages. Open the page again and send it from there.</p>',
    { status: 403, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
  );
}
