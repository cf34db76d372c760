import 'server-only';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyPurpose } from './keys';
import { purposeKey, purposeKeys } from './keys-node';

// Values only the server may read: AES-256-GCM under a purpose's key, with a label bound in as
// associated data (a value sealed for one use or one account can't be passed off as another).
// Opens with the key from every accepted secret, so rotating AUTH_SECRET keeps what was sealed.

export function seal(purpose: KeyPurpose, label: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', purposeKey(purpose), iv);
  cipher.setAAD(Buffer.from(label));
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64url');
}

/** The plain text, or null when the value wasn't sealed by us for this purpose and label. */
export function unseal(purpose: KeyPurpose, label: string, value: string): string | null {
  const sealed = Buffer.from(value, 'base64url');
  if (sealed.length < 12 + 16) return null;
  for (const key of purposeKeys(purpose)) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAAD(Buffer.from(label));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      // Not sealed with this key: try the previous secret's.
    }
  }
  return null;
}
