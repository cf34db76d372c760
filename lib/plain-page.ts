// Pages answered without React: a refusal in the middleware, the 503 while the database is away.
// Edge-safe (no imports). They carry their own few lines of style, in the site's colours and
// fonts (app/globals.css, app/not-found.tsx), because the site's stylesheet is a build artefact
// with a hashed name; the CSP allows inline styles, never inline scripts.

const STYLE =
  'body{margin:0;min-height:100dvh;background:#f8fafc;color:#0f172a;overflow-wrap:break-word;' +
  "font-family:ui-sans-serif,system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans',sans-serif;" +
  '-webkit-font-smoothing:antialiased}' +
  'header{border-bottom:1px solid #e2e8f0;background:#fff}' +
  'header a{display:block;max-width:48rem;margin:0 auto;padding:1rem;font-weight:600;color:#0f172a;text-decoration:none}' +
  'main{max-width:48rem;margin:0 auto;padding:3rem 1rem;text-align:center}' +
  'h1{margin:0 0 .75rem;font-size:1.5rem;line-height:2rem;font-weight:600}' +
  'p{margin:.75rem 0;color:#475569;line-height:1.5rem}' +
  'main a{font-weight:500;color:#4338ca;text-decoration:none}main a:hover{text-decoration:underline}';

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A whole HTML page: `title` and `heading` are text; `body` is HTML the caller built (escape
 * what it didn't write with escapeHtml).
 */
export function plainPage({ title, heading, body, id }: { title: string; heading: string; body: string; id?: string }): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)} · Gatehouse</title><style>${STYLE}</style></head>` +
    `<body><header><a href="/">Gatehouse</a></header><main${id ? ` id="${escapeHtml(id)}"` : ''}>` +
    `<h1>${escapeHtml(heading)}</h1>${body}</main></body></html>`
  );
}
