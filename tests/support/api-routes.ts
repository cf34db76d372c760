// Which app/api/**/route.ts answers a path, matched as the App Router does: a static segment
// before a [param], a [param] before a [...catchAll]. Params arrive decoded, as Next passes them.
import fs from 'node:fs';
import path from 'node:path';
import type { RouteHandler } from './next-request';

const appDir = path.resolve(import.meta.dirname, '../../app');

/** Every route file's URL path, like `/api/v1/users/[username]`. */
export const routePaths: string[] = fs
  .readdirSync(path.join(appDir, 'api'), { recursive: true, encoding: 'utf8' })
  .filter((file) => path.basename(file) === 'route.ts')
  .map((file) => `/api/${path.dirname(file).split(path.sep).join('/')}`.replace(/\/\.$/, ''));

const rank = (segment: string) => (segment.startsWith('[...') ? 2 : segment.startsWith('[') ? 1 : 0);

function match(pattern: string[], segments: string[]): Record<string, string | string[]> | null {
  const params: Record<string, string | string[]> = {};
  for (const [i, part] of pattern.entries()) {
    const name = /^\[(?:\.\.\.)?(\w+)\]$/.exec(part)?.[1];
    if (rank(part) === 2) {
      if (i >= segments.length) return null;
      params[name!] = segments.slice(i);
      return params;
    }
    if (i >= segments.length) return null;
    if (name) params[name] = segments[i]!;
    else if (part !== segments[i]) return null;
  }
  return pattern.length === segments.length ? params : null;
}

/** The handler for `method` at `urlPath` (e.g. `/api/v1/me`), with the params of the route that claims it. */
export async function routeFor(method: string, urlPath: string): Promise<{ handler: RouteHandler; params: Record<string, string | string[]> }> {
  const segments = urlPath.split('/').filter(Boolean).map(decodeURIComponent);
  const [best] = routePaths
    .map((route) => ({ route, pattern: route.split('/').filter(Boolean) }))
    .map((candidate) => ({ ...candidate, params: match(candidate.pattern, segments) }))
    .filter((candidate) => candidate.params !== null)
    .sort((a, b) => a.pattern.map(rank).join('').localeCompare(b.pattern.map(rank).join('')));
  if (!best) throw new Error(`no route file matches ${urlPath}`);
  const module: Partial<Record<string, RouteHandler>> = await import(path.join(appDir, best.route, 'route.ts'));
  const handler = module[method];
  if (!handler) throw new Error(`app${best.route}/route.ts exports no ${method}`);
  return { handler, params: best.params! };
}
