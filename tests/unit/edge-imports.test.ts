import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// middleware.ts runs on the Edge runtime: nothing it imports, directly or not, may touch the
// database, Node built-ins, bcrypt or other server-only modules.
const FORBIDDEN = [/^node:/, /^(fs|path|os|crypto|child_process|worker_threads)$/, /better-sqlite3/, /bcryptjs/, /piscina/, /^server-only$/, /drizzle-orm/, /^next-auth/, /\/lib\/db\//];
const root = path.resolve(__dirname, '../..');

function resolveLocal(from: string, specifier: string): string | null {
  const base = specifier.startsWith('@/') ? path.join(root, specifier.slice(2)) : path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function importGraph(entry: string) {
  const seen = new Set<string>();
  const external = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.') || specifier.startsWith('@/')) {
        const resolved = resolveLocal(file, specifier);
        if (!resolved) throw new Error(`unresolved import ${specifier} in ${file}`);
        queue.push(resolved);
      } else {
        external.add(specifier);
      }
    }
  }
  return { files: [...seen].map((f) => path.relative(root, f)), external: [...external] };
}

describe('the Edge middleware', () => {
  const graph = importGraph(path.join(root, 'middleware.ts'));

  it('reaches the token module (so this test walks real imports)', () => {
    expect(graph.files).toContain('lib/auth/token.ts');
    expect(graph.external).toContain('jose');
  });

  it('imports nothing Node-only or database-related', () => {
    const bad = [...graph.external, ...graph.files.map((f) => `/${f}`)].filter((s) => FORBIDDEN.some((re) => re.test(s)));
    expect(bad).toEqual([]);
  });
});
