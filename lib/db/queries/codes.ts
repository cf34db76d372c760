import 'server-only';
import { and, count, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { getDb } from '../client';
import { oneTimeCodes, type CodePurpose } from '../schema';

export type CodeTarget = { purpose: CodePurpose; userId: number };

/** Codes created for this person and purpose since `since` (used ones included: they were sent). */
export function countCodesSince(target: CodeTarget, since: Date): number {
  return getDb()
    .select({ n: count() })
    .from(oneTimeCodes)
    .where(and(eq(oneTimeCodes.userId, target.userId), eq(oneTimeCodes.purpose, target.purpose), gt(oneTimeCodes.createdAt, since)))
    .get()!.n;
}

/** Replaces any live code for this person and purpose with a new one, in one transaction. */
export function replaceCode(
  target: CodeTarget & { email: string; codeHash: string; createdAt: Date; expiresAt: Date },
): number {
  return getDb().transaction((tx) => {
    tx.update(oneTimeCodes)
      .set({ usedAt: target.createdAt })
      .where(and(eq(oneTimeCodes.userId, target.userId), eq(oneTimeCodes.purpose, target.purpose), isNull(oneTimeCodes.usedAt)))
      .run();
    return tx.insert(oneTimeCodes).values(target).returning({ id: oneTimeCodes.id }).get().id;
  });
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

export function countFailedAttempt(id: number): number {
  const row = getDb()
    .update(oneTimeCodes)
    .set({ attempts: sql`${oneTimeCodes.attempts} + 1` })
    .where(eq(oneTimeCodes.id, id))
    .returning({ attempts: oneTimeCodes.attempts })
    .get();
  return row?.attempts ?? Number.POSITIVE_INFINITY;
}

/** Marks a code used; false if something else used it first. */
export function markCodeUsed(id: number, now: Date): boolean {
  return getDb().update(oneTimeCodes).set({ usedAt: now }).where(and(eq(oneTimeCodes.id, id), isNull(oneTimeCodes.usedAt))).run().changes === 1;
}
