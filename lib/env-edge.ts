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

/**
 * Where the "Continue with …" forms may send the browser (the CSP's form-action): each configured
 * provider's sign-in page. A provider's page is on its issuer's origin (GitHub's, Google's, the
 * OpenID Connect issuer's); lib/env.ts validates these at start-up.
 */
export function providerOrigins(): string[] {
  const origins: string[] = [];
  const origin = (url: string) => {
    try {
      origins.push(new URL(url).origin);
    } catch {
      // Not a URL: lib/env.ts stops the server with its name.
    }
  };
  if (process.env.AUTH_GITHUB_ID) origin(process.env.AUTH_GITHUB_ENTERPRISE_URL || 'https://github.com');
  if (process.env.AUTH_GOOGLE_ID) origin('https://accounts.google.com');
  if (process.env.AUTH_OIDC_ISSUER) origin(process.env.AUTH_OIDC_ISSUER);
  return origins;
}
