import 'server-only';
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import {
  claimAttempt,
  codeTimesSince,
  deleteCode,
  findLiveCode,
  findLiveCodeById,
  insertCode,
  markCodeUsed,
  retireCodes,
  type CodeTarget,
} from '@/lib/db/queries/codes';
import { Rollback, step, transaction } from '@/lib/db/client';
import type { CodePurpose } from '@/lib/db/schema-sqlite';
import { holdUser } from '@/lib/db/queries/users';
import { sendMail } from '@/lib/mail/send';
import type { Mail } from '@/lib/mail/templates';
import { giveBack, hit } from '@/lib/security/rate-limit';
import { CODE_RESEND_SECONDS } from '@/lib/validation/auth';
import { purposeKey } from './keys-node';

// One-time codes sent by mail. 6 digits from a CSPRNG, kept only as an HMAC, valid 10 minutes,
// once, for 5 tries; a new code replaces the old. Sends are limited per person, and so are tries
// across codes (CODE_ACCOUNT): five codes an hour must not buy 25 guesses an hour, forever.
export const CODE_TTL_MINUTES = 10;
export const MAX_ATTEMPTS = 5;
/** Sends allowed per person and purpose: 1 a minute (CODE_RESEND_SECONDS), 5 an hour. */
const MAX_PER_HOUR = 5;
const HOUR_MS = 3600 * 1000;

export type CodeAddress = CodeTarget & { email: string };

/** The one answer for a wrong, expired, used, replaced or unknown code. */
export const INVALID_CODE = 'That code is invalid or has expired. Check it, or send a new code.';

export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

function hashCode(target: CodeAddress, code: string): string {
  return createHmac('sha256', purposeKey('otp')).update(`otp/v1|${target.purpose}|${target.userId}|${target.email}|${code}`).digest('base64url');
}

/** A link that does what its code does, sent in the same mail: 24 hours, once (checkLink). */
export const LINK_TTL_HOURS = 24;
const LINK_PURPOSES = { email_verification: 'email_verification_link' } as const satisfies Partial<Record<CodePurpose, CodePurpose>>;
export type LinkedPurpose = keyof typeof LINK_PURPOSES;
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const SIX_DIGITS = /^\d{6}$/;

export type IssuedCode = { id: number; code: string; link?: { id: number; token: string } } | { limited: true; retryAfterSeconds: number };

/**
 * A fresh code for this person, purpose and address, unless they asked too often; with `withLink`
 * (a purpose that has one), a link token too, counted with its code against the send limit.
 */
export async function issueCode(target: CodeAddress, now = new Date(), withLink = false): Promise<IssuedCode> {
  const code = generateCode();
  const linkPurpose = withLink ? LINK_PURPOSES[target.purpose as LinkedPurpose] : undefined;
  const token = linkPurpose && randomBytes(32).toString('base64url');
  const issued = await transaction<IssuedCode>(function* (tx) {
    // The person's row is held from the count to the insert: requests at once take turns.
    const held = yield* step(holdUser(tx, target.userId));
    if (held.length === 0) throw new Rollback();
    const times = (yield* step(codeTimesSince(tx, target, new Date(now.getTime() - HOUR_MS)))).map((row) => row.createdAt);
    const last = times.at(-1);
    const waits = [
      last ? last.getTime() + CODE_RESEND_SECONDS * 1000 - now.getTime() : 0,
      times.length >= MAX_PER_HOUR ? times[times.length - MAX_PER_HOUR]!.getTime() + HOUR_MS - now.getTime() : 0,
    ];
    const wait = Math.max(...waits);
    if (wait > 0) return { limited: true, retryAfterSeconds: Math.ceil(wait / 1000) };
    const [inserted] = yield* step(
      insertCode(tx, {
        ...target,
        codeHash: hashCode(target, code),
        createdAt: now,
        expiresAt: new Date(now.getTime() + CODE_TTL_MINUTES * 60 * 1000),
      }),
    );
    if (!linkPurpose || !token) return { id: inserted!.id, code };
    const linkTarget = { ...target, purpose: linkPurpose };
    const [link] = yield* step(
      insertCode(tx, {
        ...linkTarget,
        codeHash: hashCode(linkTarget, token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + LINK_TTL_HOURS * HOUR_MS),
      }),
    );
    return { id: inserted!.id, code, link: { id: link!.id, token } };
  });
  // The account was deleted meanwhile: nothing to send, as for an address nobody has.
  return issued ?? { limited: true, retryAfterSeconds: CODE_RESEND_SECONDS };
}

export type CodeDelivery = { ok: true } | { ok: false; retryAfterSeconds: number } | { ok: false; notSent: true };

/**
 * Issues a code (and, given `linkUrl`, a link: the URL for its row and token) and mails it. Only once the
 * mail has left does it replace the person's older codes; a code whose mail failed is deleted, so
 * it neither works nor counts against the limit, and the code they already had keeps working.
 */
export async function deliverCode(
  target: CodeAddress,
  compose: (code: string, link: string | null) => Promise<Mail>,
  now = new Date(),
  linkUrl?: (link: { id: number; token: string }) => string | null,
): Promise<CodeDelivery> {
  const issued = await issueCode(target, now, linkUrl !== undefined);
  if ('limited' in issued) return { ok: false, retryAfterSeconds: issued.retryAfterSeconds };
  const link = issued.link && linkUrl ? { ...issued.link, url: linkUrl(issued.link) } : undefined;
  let sent = false;
  try {
    sent = (await sendMail(target.email, await compose(issued.code, link?.url ?? null))).ok;
  } finally {
    if (sent) {
      await retireCodes(target, now, issued.id);
      if (link) await retireCodes({ ...target, purpose: LINK_PURPOSES[target.purpose as LinkedPurpose] }, now, link.id);
    } else {
      await deleteCode(issued.id);
      if (link) await deleteCode(link.id);
    }
  }
  return sent ? { ok: true } : { ok: false, notSent: true };
}

export type CheckedCode = { id: number; email: string };

/**
 * Checks a code without using it up. Wrong, expired, used, replaced and unknown codes are all just
 * `null`, and so is any code past the account's budget of tries. Each try is counted before the
 * compare (on the code, and for the account), and a right one gives the account's back. `email`,
 * when given, must be the address the code was sent to.
 */
export async function checkCode(target: CodeTarget, code: string, now = new Date(), email?: string): Promise<CheckedCode | null> {
  const live = await findLiveCode(target, now);
  if (!live) return null;
  const budgetKey = `${target.purpose}:${target.userId}`;
  if ((await hit('CODE_ACCOUNT', budgetKey)) > 0) return null;
  if (!(await claimAttempt(live.id, MAX_ATTEMPTS))) return null;
  const given = Buffer.from(hashCode({ ...target, email: live.email }, SIX_DIGITS.test(code) ? code : 'invalid'));
  const expected = Buffer.from(live.codeHash);
  const matches = expected.length === given.length && timingSafeEqual(expected, given);
  if (!matches || (email !== undefined && email !== live.email)) return null;
  await giveBack('CODE_ACCOUNT', budgetKey);
  return { id: live.id, email: live.email };
}

export type CheckedLink = { id: number; userId: number; email: string };

/**
 * Checks the token of a link (`id`: its row, which the URL names). 256 random bits need no try
 * budget, and counting tries on a row anyone can name would let anyone spoil someone's link; the
 * caller's per-client limit still applies. Null for anything but a live link with this token.
 */
export async function checkLink(purpose: LinkedPurpose, id: number, token: string, now = new Date()): Promise<CheckedLink | null> {
  const live = await findLiveCodeById(id, LINK_PURPOSES[purpose], now);
  if (!live || !LINK_TOKEN.test(token)) return null;
  const given = Buffer.from(hashCode({ purpose: live.purpose, userId: live.userId, email: live.email }, token));
  const expected = Buffer.from(live.codeHash);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { id: live.id, userId: live.userId, email: live.email };
}

/** Checks and uses a code in one step; the address it was sent to, or null. */
export async function consumeCode(target: CodeTarget, code: string, now = new Date(), email?: string): Promise<{ email: string } | null> {
  const checked = await checkCode(target, code, now, email);
  return checked && (await markCodeUsed(checked.id, now)) ? { email: checked.email } : null;
}
