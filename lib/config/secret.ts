// Runs once in next.config.ts, in Node, before the server handles a request: it decides the
// AUTH_SECRET every runtime (Node and Edge) then reads from process.env.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const MIN_SECRET_BYTES = 32;

export class SecretError extends Error {}

type SecretEnv = { AUTH_SECRET?: string; [name: string]: string | undefined };

/**
 * Production: AUTH_SECRET must be set and at least 32 bytes, or the server refuses to start; so
 * must every former secret in AUTH_SECRET_PREVIOUS, which still verifies what it signed.
 */
export function requireProductionSecret(env: SecretEnv = process.env): void {
  const secret = env.AUTH_SECRET;
  if (!secret) {
    throw new SecretError(
      'AUTH_SECRET is not set. Generate one with `openssl rand -base64 32` and set it in the environment.',
    );
  }
  const previous = (env.AUTH_SECRET_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const [name, value] of [['AUTH_SECRET', secret] as const, ...previous.map((p, i) => [`AUTH_SECRET_PREVIOUS (secret ${i + 1})`, p] as const)]) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes < MIN_SECRET_BYTES) {
      throw new SecretError(`${name} is too short (${bytes} bytes; at least ${MIN_SECRET_BYTES} needed). Generate one with \`openssl rand -base64 32\`.`);
    }
  }
}

/**
 * Development: use AUTH_SECRET when set; otherwise generate a strong one once into
 * `.data/auth-secret` (mode 0600) so sessions survive restarts, and put it in process.env.
 */
export function ensureDevSecret(env: SecretEnv = process.env, dataDir = path.resolve('.data')): void {
  if (env.AUTH_SECRET) return;
  const file = path.join(dataDir, 'auth-secret');
  let secret = '';
  try {
    secret = fs.readFileSync(file, 'utf8').trim();
  } catch {
    // Not there yet: generated below.
  }
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    secret = crypto.randomBytes(32).toString('base64url');
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  }
  env.AUTH_SECRET = secret;
}
