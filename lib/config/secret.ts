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

/** The secret in `file`, or '' when there is none or it is too short to be one. */
function readSecret(file: string): string {
  try {
    const secret = fs.readFileSync(file, 'utf8').trim();
    return Buffer.byteLength(secret, 'utf8') >= MIN_SECRET_BYTES ? secret : '';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/**
 * Development: use AUTH_SECRET when set; otherwise generate a strong one once into
 * `.data/auth-secret` (mode 0600) so sessions survive restarts, and put it in process.env.
 * Processes starting together agree on one: each writes its candidate whole to a file of its
 * own, then links it into place, which only the first can do; the others read the winner's.
 */
export function ensureDevSecret(env: SecretEnv = process.env, dataDir = path.resolve('.data')): void {
  if (env.AUTH_SECRET) return;
  const file = path.join(dataDir, 'auth-secret');
  let secret = readSecret(file);
  if (!secret) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const candidate = crypto.randomBytes(32).toString('base64url');
    const temporary = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`;
    const fd = fs.openSync(temporary, 'wx', 0o600);
    try {
      fs.writeSync(fd, `${candidate}\n`);
      // On disk before it has the real name: a crash never leaves an empty auth-secret.
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(temporary, file);
      secret = candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      secret = readSecret(file);
      // What is there is no secret (an empty file left by a crash of an older version): replace it.
      if (!secret) {
        fs.renameSync(temporary, file);
        secret = candidate;
      }
    } finally {
      fs.rmSync(temporary, { force: true });
    }
  }
  env.AUTH_SECRET = secret;
}
