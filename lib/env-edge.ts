// The settings the Edge middleware needs too, read where every runtime can: no Node APIs, no
// validation library. Read on each call (they are cheap), so a rotated secret takes effect at
// once; lib/env.ts validates the rest of the configuration once, at start-up.

/** The site's public URL (`AUTH_URL`), or undefined: then links in mail are left out. */
export function authUrl(): string | undefined {
  return process.env.AUTH_URL || undefined;
}

export function isProduction(): boolean {
  return process.env.NODE_ENV === 'production';
}

/** AUTH_SECRET first (it signs), then AUTH_SECRET_PREVIOUS (comma-separated: accepted, never used to sign). */
export function authSecrets(): string[] {
  const current = process.env.AUTH_SECRET;
  if (!current) throw new Error('AUTH_SECRET is not set');
  const previous = (process.env.AUTH_SECRET_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return [current, ...previous];
}

/** What keys derived from the secrets were made from: caches are remade when it changes. */
export const secretsFingerprint = () => `${process.env.AUTH_SECRET ?? ''}|${process.env.AUTH_SECRET_PREVIOUS ?? ''}`;
