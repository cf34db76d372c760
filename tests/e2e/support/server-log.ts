import fs from 'node:fs';
import { expect } from 'vitest';

/** A server's log holds none of these secrets, and no password hash or session token at all. */
export function expectNoSecretsInLog(logFile: string, secrets: string[]): void {
  const log = fs.readFileSync(logFile, 'utf8');
  for (const secret of secrets) expect(log.includes(secret), 'a secret in the log').toBe(false);
  expect(log).not.toMatch(/\$2[aby]\$\d\d\$/);
  expect(log).not.toMatch(/eyJhbGciOi/);
}
