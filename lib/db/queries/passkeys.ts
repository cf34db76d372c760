import 'server-only';
import { and, asc, count, eq, gt, isNull } from 'drizzle-orm';
import { getDb, getTables } from '../client';
import type { WEBAUTHN_PURPOSES } from '../values';
import { publicUserColumns } from './users';
import { anotherWayIn, removeUnlessLast } from './identities';

export type WebauthnPurpose = (typeof WEBAUTHN_PURPOSES)[number];

export async function insertChallenge(row: { id: string; purpose: WebauthnPurpose; userId: number | null; createdAt: Date; expiresAt: Date }): Promise<void> {
  const { webauthnChallenges } = getTables();
  await getDb().insert(webauthnChallenges).values(row);
}

/**
 * Uses a challenge: deletes it in the statement that finds it, so it is good for one ceremony
 * however many answers race with it. Only for its purpose, before it expires, and — for a
 * signed-in person's ceremony — for that person. Whether it was there.
 */
export async function consumeChallenge(id: string, purpose: WebauthnPurpose, userId: number | null, now: Date): Promise<boolean> {
  const { webauthnChallenges } = getTables();
  const gone = await getDb()
    .delete(webauthnChallenges)
    .where(
      and(
        eq(webauthnChallenges.id, id),
        eq(webauthnChallenges.purpose, purpose),
        gt(webauthnChallenges.expiresAt, now),
        userId === null ? isNull(webauthnChallenges.userId) : eq(webauthnChallenges.userId, userId),
      ),
    )
    .returning({ id: webauthnChallenges.id });
  return gone.length === 1;
}

export type PasskeyRow = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null; backedUp: number };

/** The person's passkeys, oldest first: what /account/security lists. */
export async function listPasskeys(userId: number): Promise<PasskeyRow[]> {
  const { passkeys } = getTables();
  return getDb()
    .select({ id: passkeys.id, name: passkeys.name, createdAt: passkeys.createdAt, lastUsedAt: passkeys.lastUsedAt, backedUp: passkeys.backedUp })
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt));
}

/** What registration needs: the ids to exclude, and the user handle they share (if any yet). */
export async function passkeyCredentials(userId: number) {
  const { passkeys } = getTables();
  return getDb().select({ id: passkeys.id, userHandle: passkeys.userHandle, transports: passkeys.transports }).from(passkeys).where(eq(passkeys.userId, userId));
}

export async function countPasskeys(userId: number): Promise<number> {
  const { passkeys } = getTables();
  const [row] = await getDb().select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId));
  return Number(row?.n ?? 0);
}

export async function insertPasskey(row: {
  id: string;
  userId: number;
  userHandle: string;
  name: string;
  publicKey: string;
  counter: number;
  transports: string;
  backedUp: number;
  createdAt: Date;
}): Promise<void> {
  const { passkeys } = getTables();
  await getDb().insert(passkeys).values(row);
}

/** A passkey and its account, for a sign-in with it. */
export async function findPasskeyForSignIn(id: string) {
  const { passkeys, users } = getTables();
  const [row] = await getDb()
    .select({
      id: passkeys.id,
      userHandle: passkeys.userHandle,
      publicKey: passkeys.publicKey,
      counter: passkeys.counter,
      transports: passkeys.transports,
      user: publicUserColumns(),
    })
    .from(passkeys)
    .innerJoin(users, eq(users.id, passkeys.userId))
    .where(eq(passkeys.id, id));
  return row;
}

/**
 * Records a use: the new counter only if it is still the one checked against (two sign-ins
 * racing with one assertion can't both move it), and when it was used. Whether it was recorded.
 */
export async function recordPasskeyUse(id: string, checkedCounter: number, newCounter: number, backedUp: boolean, now: Date): Promise<boolean> {
  const { passkeys } = getTables();
  const used = await getDb()
    .update(passkeys)
    .set({ counter: newCounter, backedUp: backedUp ? 1 : 0, lastUsedAt: now })
    .where(and(eq(passkeys.id, id), eq(passkeys.counter, checkedCounter)))
    .returning({ id: passkeys.id });
  return used.length === 1;
}

export async function renamePasskey(userId: number, id: string, name: string): Promise<boolean> {
  const { passkeys } = getTables();
  const renamed = await getDb().update(passkeys).set({ name }).where(and(eq(passkeys.id, id), eq(passkeys.userId, userId))).returning({ id: passkeys.id });
  return renamed.length === 1;
}

/** Removes a passkey, only while the person keeps another way in ('last' when it is their only one). */
export async function deletePasskey(userId: number, id: string): Promise<'deleted' | 'last' | 'missing'> {
  const { passkeys } = getTables();
  const mine = and(eq(passkeys.id, id), eq(passkeys.userId, userId));
  if (await removeUnlessLast(userId, (tx) => tx.delete(passkeys).where(and(mine, anotherWayIn(userId, { passkey: id }))).returning({ id: passkeys.id }))) return 'deleted';
  const [left] = await getDb().select({ id: passkeys.id }).from(passkeys).where(mine);
  return left ? 'last' : 'missing';
}

export async function deleteAllPasskeys(userId: number): Promise<number> {
  const { passkeys } = getTables();
  return (await getDb().delete(passkeys).where(eq(passkeys.userId, userId)).returning({ id: passkeys.id })).length;
}
