import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { getDb, getTables, Rollback, step, transaction, type Db } from '../client';
import type { ProviderId } from '../values';
import { holdUser, publicUserColumns, takenField, TakenError, type NewUserInput, type PublicUser } from './users';

// Accounts at sign-in providers linked to a person (lib/account/identities.ts has the rules).

export type IdentityRow = { id: number; provider: ProviderId; email: string | null; linkedAt: Date; lastUsedAt: Date | null };
export type NewIdentity = { provider: ProviderId; subject: string; email: string | null; emailVerified: boolean };

export async function findIdentity(provider: ProviderId, subject: string): Promise<{ id: number; userId: number } | undefined> {
  const { identities } = getTables();
  const [row] = await getDb()
    .select({ id: identities.id, userId: identities.userId })
    .from(identities)
    .where(and(eq(identities.provider, provider), eq(identities.subject, subject)));
  return row;
}

export async function listIdentities(userId: number): Promise<IdentityRow[]> {
  const { identities } = getTables();
  return getDb()
    .select({ id: identities.id, provider: identities.provider, email: identities.email, linkedAt: identities.linkedAt, lastUsedAt: identities.lastUsedAt })
    .from(identities)
    .where(eq(identities.userId, userId))
    .orderBy(identities.linkedAt);
}

const values = (userId: number, identity: NewIdentity, now: Date) => ({ ...identity, userId, emailVerified: identity.emailVerified ? 1 : 0, linkedAt: now, lastUsedAt: now });

/** Links an identity; false when (provider, subject) is already linked, to anyone (the unique index decides races). */
export async function insertIdentity(userId: number, identity: NewIdentity, now = new Date()): Promise<boolean> {
  const { identities } = getTables();
  const inserted = await getDb().insert(identities).values(values(userId, identity, now)).onConflictDoNothing().returning({ id: identities.id });
  return inserted.length === 1;
}

/** A sign-in with it: when, and the address the provider gives now. */
export async function touchIdentity(id: number, identity: Pick<NewIdentity, 'email' | 'emailVerified'>, now = new Date()): Promise<void> {
  const { identities } = getTables();
  await getDb()
    .update(identities)
    .set({ email: identity.email, emailVerified: identity.emailVerified ? 1 : 0, lastUsedAt: now })
    .where(eq(identities.id, id));
}

/**
 * A new account and its identity together, its address verified by the provider. TakenError when
 * the username or address is taken, or the identity was linked meanwhile (as 'email': either way
 * the person must sign in another way).
 */
export async function insertUserWithIdentity(input: NewUserInput, identity: NewIdentity, now = new Date()): Promise<PublicUser> {
  const { users, identities } = getTables();
  try {
    const created = await transaction(function* (tx) {
      const [user] = yield* step(tx.insert(users).values({ ...input, emailVerifiedAt: now, createdAt: now, updatedAt: now }).returning(publicUserColumns()));
      const linked = yield* step(tx.insert(identities).values(values(user!.id, identity, now)).onConflictDoNothing().returning({ id: identities.id }));
      if (linked.length === 0) throw new Rollback();
      return user!;
    });
    if (!created) throw new TakenError('email');
    return created;
  } catch (error) {
    const field = takenField(error);
    if (field) throw new TakenError(field);
    throw error;
  }
}

/**
 * Disconnects one of a person's identities, only while another way in remains — a password, a
 * passkey or another identity — checked in the statement itself, after the person's row is held
 * (removeUnlessLast), so two removals at once can't both leave. 'last' when it is the only way
 * in, 'missing' when there is no such identity.
 */
export async function deleteIdentityUnlessLast(userId: number, provider: ProviderId): Promise<'deleted' | 'last' | 'missing'> {
  const { identities } = getTables();
  const deleted = await removeUnlessLast(userId, (tx) =>
    tx.delete(identities).where(and(eq(identities.userId, userId), eq(identities.provider, provider), anotherWayIn(userId, { provider }))).returning({ id: identities.id }),
  );
  if (deleted) return 'deleted';
  const [left] = await getDb()
    .select({ id: identities.id })
    .from(identities)
    .where(and(eq(identities.userId, userId), eq(identities.provider, provider)));
  return left ? 'last' : 'missing';
}

/**
 * Runs the delete of a way in with the person's row held: on PostgreSQL the row lock makes a
 * second removal wait, and its statement then sees the first one's result (read committed takes a
 * new snapshot per statement); SQLite's transaction holds the whole database. True when it deleted.
 */
export async function removeUnlessLast(userId: number, remove: (tx: Db) => PromiseLike<{ id: unknown }[]>): Promise<boolean> {
  const removed = await transaction(function* (tx) {
    yield* step(holdUser(tx, userId));
    return (yield* step(remove(tx))).length > 0;
  });
  return removed === true;
}

/**
 * As a condition of the statement that removes a way in: the person keeps another — a password, a
 * passkey, a connected account — besides `except`. (The inner selects shadow the outer table.)
 */
export function anotherWayIn(userId: number, except: { passkey?: string; provider?: ProviderId }) {
  const { users, passkeys, identities } = getTables();
  return sql`(
    exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.passwordHash} not like '!%')
    or exists (select 1 from ${passkeys} where ${passkeys.userId} = ${userId} and ${passkeys.id} <> ${except.passkey ?? ''})
    or exists (select 1 from ${identities} where ${identities.userId} = ${userId} and ${identities.provider} <> ${except.provider ?? ''})
  )`;
}

/** The operator's reset (lib/account/operator.ts): every identity of the person; how many. */
export async function deleteAllIdentities(userId: number): Promise<number> {
  const { identities } = getTables();
  return (await getDb().delete(identities).where(eq(identities.userId, userId)).returning({ id: identities.id })).length;
}

/** Whether the person has a password (an account made through a provider has none until set). */
export async function hasPassword(userId: number): Promise<boolean> {
  const { users } = getTables();
  const [row] = await getDb()
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), sql`${users.passwordHash} not like '!%'`));
  return Boolean(row);
}
