import 'server-only';
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { countCodesSince, countFailedAttempt, deleteCode, findLiveCode, markCodeUsed, replaceCode, type CodeTarget } from '@/lib/db/queries/codes';

// One-time codes sent by mail. 6 digits from a CSPRNG, kept only as an HMAC, valid 10 minutes,
// once, for 5 wrong tries; a new code replaces the old. Requests are limited per person.
export const CODE_TTL_MINUTES = 10;
export const MAX_ATTEMPTS = 5;
/** Sends allowed per person and purpose: 1 a minute, 5 an hour. */
export const RESEND_AFTER_SECONDS = 60;
const MAX_PER_HOUR = 5;

export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

function hashCode(target: CodeTarget & { email: string }, code: string): string {
  const key = process.env.AUTH_SECRET;
  if (!key) throw new Error('AUTH_SECRET is not set');
  return createHmac('sha256', key).update(`otp/v1|${target.purpose}|${target.userId}|${target.email}|${code}`).digest('base64url');
}

export type IssuedCode = { id: number; code: string } | { limited: true };

/** A fresh code for this person, purpose and address, unless they asked too often. */
export function issueCode(target: CodeTarget & { email: string }, now = new Date()): IssuedCode {
  if (countCodesSince(target, new Date(now.getTime() - RESEND_AFTER_SECONDS * 1000)) > 0) return { limited: true };
  if (countCodesSince(target, new Date(now.getTime() - 3600 * 1000)) >= MAX_PER_HOUR) return { limited: true };
  const code = generateCode();
  const id = replaceCode({
    ...target,
    codeHash: hashCode(target, code),
    createdAt: now,
    expiresAt: new Date(now.getTime() + CODE_TTL_MINUTES * 60 * 1000),
  });
  return { id, code };
}

/** A code whose mail never left must neither work nor count against the person's limit. */
export function discardCode(id: number): void {
  deleteCode(id);
}

/**
 * Checks a code. Wrong, expired, used, replaced and unknown codes are all just `null`; each wrong
 * try counts, and the fifth kills the code. On success the code is used up and its address
 * returned.
 */
export function consumeCode(target: CodeTarget, code: string, now = new Date()): { email: string } | null {
  const live = findLiveCode(target, now);
  if (!live || live.attempts >= MAX_ATTEMPTS || !/^\d{6}$/.test(code)) {
    if (live && live.attempts < MAX_ATTEMPTS) countFailedAttempt(live.id);
    return null;
  }
  const expected = Buffer.from(live.codeHash);
  const given = Buffer.from(hashCode({ ...target, email: live.email }, code));
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    countFailedAttempt(live.id);
    return null;
  }
  return markCodeUsed(live.id, now) ? { email: live.email } : null;
}
