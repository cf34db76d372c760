import 'server-only';
import fs from 'node:fs';
import path from 'node:path';

// The 49,233 most common passwords (ranked list from @zxcvbn-ts/language-common 4.1.3, MIT,
// lower-cased and de-duplicated), shipped in the repo so the check works offline. Server-only:
// it is too large to send to a browser, so the browser mirrors every other password rule.
let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(
    fs.readFileSync(path.join(process.cwd(), 'lib/auth/common-passwords.txt'), 'utf8').split('\n').filter(Boolean),
  );
  return common;
}

export const COMMON_PASSWORD_MESSAGE = 'This password is too common. Choose something harder to guess.';

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.normalize('NFKC').toLowerCase());
}
