import 'server-only';
import { and, asc, desc, eq, gt, isNull, lt, ne, sql } from 'drizzle-orm';
import { getDb, getTables, type Db } from '../client';
import type { CodePurpose } from '../schema-sqlite';

export type CodeTarget = { purpose: CodePurpose; userId: number };

// The two statements of issuing a code, for the transaction that holds the person's row between
// them (lib/auth/otp.ts): two requests at once can't both find the send limit unspent.

/** When codes for this person and purpose were created since `since`, oldest first (used ones too: they were sent). */
export function codeTimesSince(db: Db, target: CodeTarget, since: Date) {
  const { oneTimeCodes } = getTables();
  return db
    .select({ createdAt: oneTimeCodes.createdAt })
    .from(oneTimeCodes)
    .where(and(eq(oneTimeCodes.userId, target.userId), eq(oneTimeCodes.purpose, target.purpose), gt(oneTimeCodes.createdAt, since)))
    .orderBy(asc(oneTimeCodes.createdAt));
}

/** Stores a new code; its id. It outranks older ones at once (`findLiveCode` takes the newest). */
export function insertCode(db: Db, target: CodeTarget & { email: string; codeHash: string; createdAt: Date; expiresAt: Date }) {
  const { oneTimeCodes } = getTables();
  return db.insert(oneTimeCodes).values(target).returning({ id: oneTimeCodes.id });
}

/** Retires every unused code of this person and purpose except `keepId` (once its mail has left). */
export async function retireCodes(target: CodeTarget, now: Date, keepId?: number): Promise<void> {
  const { oneTimeCodes } = getTables();
  await getDb()
    .update(oneTimeCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(oneTimeCodes.userId, target.userId),
        eq(oneTimeCodes.purpose, target.purpose),
        isNull(oneTimeCodes.usedAt),
        keepId === undefined ? undefined : ne(oneTimeCodes.id, keepId),
      ),
    );
}

export async function deleteCode(id: number): Promise<void> {
  const { oneTimeCodes } = getTables();
  await getDb().delete(oneTimeCodes).where(eq(oneTimeCodes.id, id));
}

/** The newest unused, unexpired code for this person and purpose. */
export async function findLiveCode(target: CodeTarget, now: Date) {
  const { oneTimeCodes } = getTables();
  const [code] = await getDb()
    .select()
    .from(oneTimeCodes)
    .where(
      and(
        eq(oneTimeCodes.userId, target.userId),
        eq(oneTimeCodes.purpose, target.purpose),
        isNull(oneTimeCodes.usedAt),
        gt(oneTimeCodes.expiresAt, now),
      ),
    )
    .orderBy(desc(oneTimeCodes.createdAt), desc(oneTimeCodes.id))
    .limit(1);
  return code;
}

/** An unused, unexpired code by its id (a link names its row). */
export async function findLiveCodeById(id: number, purpose: CodePurpose, now: Date) {
  const { oneTimeCodes } = getTables();
  const [code] = await getDb()
    .select()
    .from(oneTimeCodes)
    .where(and(eq(oneTimeCodes.id, id), eq(oneTimeCodes.purpose, purpose), isNull(oneTimeCodes.usedAt), gt(oneTimeCodes.expiresAt, now)));
  return code;
}

/**
 * Counts a try on a code before it is compared, in the statement that checks the budget: of any
 * number of concurrent tries, at most `maxAttempts` in the code's life get compared. False when
 * the code has no tries left (or was used meanwhile).
 */
export async function claimAttempt(id: number, maxAttempts: number): Promise<boolean> {
  const { oneTimeCodes } = getTables();
  const claimed = await getDb()
    .update(oneTimeCodes)
    .set({ attempts: sql`${oneTimeCodes.attempts} + 1` })
    .where(and(eq(oneTimeCodes.id, id), isNull(oneTimeCodes.usedAt), lt(oneTimeCodes.attempts, maxAttempts)))
    .returning({ id: oneTimeCodes.id });
  return claimed.length === 1;
}

/** Marks a code used; false if something else used it first. */
export async function markCodeUsed(id: number, now: Date): Promise<boolean> {
  const { oneTimeCodes } = getTables();
  const used = await getDb()
    .update(oneTimeCodes)
    .set({ usedAt: now })
    .where(and(eq(oneTimeCodes.id, id), isNull(oneTimeCodes.usedAt)))
    .returning({ id: oneTimeCodes.id });
  return used.length === 1;
}
