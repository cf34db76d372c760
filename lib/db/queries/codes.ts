import 'server-only';
import { and, asc, desc, eq, gt, isNull, lt, ne, sql } from 'drizzle-orm';
import { getDb } from '../client';
import { oneTimeCodes, type CodePurpose } from '../schema';

export type CodeTarget = { purpose: CodePurpose; userId: number };

/** When codes for this person and purpose were created since `since`, oldest first (used ones too: they were sent). */
export function codeTimesSince(target: CodeTarget, since: Date): Date[] {
  return getDb()
    .select({ createdAt: oneTimeCodes.createdAt })
    .from(oneTimeCodes)
    .where(and(eq(oneTimeCodes.userId, target.userId), eq(oneTimeCodes.purpose, target.purpose), gt(oneTimeCodes.createdAt, since)))
    .orderBy(asc(oneTimeCodes.createdAt))
    .all()
    .map((row) => row.createdAt);
}

/** Stores a new code. It outranks older ones at once (`findLiveCode` takes the newest). */
export function insertCode(target: CodeTarget & { email: string; codeHash: string; createdAt: Date; expiresAt: Date }): number {
  return getDb().insert(oneTimeCodes).values(target).returning({ id: oneTimeCodes.id }).get().id;
}

/** Retires every unused code of this person and purpose except `keepId` (once its mail has left). */
export function retireCodes(target: CodeTarget, now: Date, keepId?: number): void {
  getDb()
    .update(oneTimeCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(oneTimeCodes.userId, target.userId),
        eq(oneTimeCodes.purpose, target.purpose),
        isNull(oneTimeCodes.usedAt),
        keepId === undefined ? undefined : ne(oneTimeCodes.id, keepId),
      ),
    )
    .run();
}

export function deleteCode(id: number): void {
  getDb().delete(oneTimeCodes).where(eq(oneTimeCodes.id, id)).run();
}

/** The newest unused, unexpired code for this person and purpose. */
export function findLiveCode(target: CodeTarget, now: Date) {
  return getDb()
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
    .get();
}

/**
 * Counts a try on a code before it is compared, in the statement that checks the budget: of any
 * number of concurrent tries, at most `maxAttempts` in the code's life get compared. False when
 * the code has no tries left (or was used meanwhile).
 */
export function claimAttempt(id: number, maxAttempts: number): boolean {
  return (
    getDb()
      .update(oneTimeCodes)
      .set({ attempts: sql`${oneTimeCodes.attempts} + 1` })
      .where(and(eq(oneTimeCodes.id, id), isNull(oneTimeCodes.usedAt), lt(oneTimeCodes.attempts, maxAttempts)))
      .run().changes === 1
  );
}

/** Marks a code used; false if something else used it first. */
export function markCodeUsed(id: number, now: Date): boolean {
  return getDb().update(oneTimeCodes).set({ usedAt: now }).where(and(eq(oneTimeCodes.id, id), isNull(oneTimeCodes.usedAt))).run().changes === 1;
}
