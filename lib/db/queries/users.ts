import 'server-only';
import { and, eq, isNotNull, isNull, not, sql } from 'drizzle-orm';
import { Rollback, getDb, getTables, step, transaction, uniqueViolation, type Db, type Tables } from '../client';
import type { users } from '../schema-sqlite';

/** What leaves the data layer about a person: never the password hash. */
export function publicUserColumns({ users }: Tables = getTables()) {
  return {
    id: users.id,
    username: users.username,
    email: users.email,
    firstName: users.firstName,
    lastName: users.lastName,
    dateOfBirth: users.dateOfBirth,
    emailVerifiedAt: users.emailVerifiedAt,
    createdAt: users.createdAt,
    updatedAt: users.updatedAt,
  };
}

export type PublicUser = Omit<typeof users.$inferSelect, 'passwordHash' | 'verifyBy'>;

export type UniqueField = 'username' | 'email';

/** A unique index said no: which field was taken. */
export class TakenError extends Error {
  constructor(readonly field: UniqueField) {
    super(`${field} is taken`);
  }
}

export function takenField(error: unknown): UniqueField | null {
  const violated = uniqueViolation(error);
  if (violated?.includes('email')) return 'email';
  if (violated?.includes('username')) return 'username';
  return null;
}

/** A new account's address is unverified until a code or link sent there comes back. */
export type NewUserInput = Omit<PublicUser, 'id' | 'emailVerifiedAt' | 'createdAt' | 'updatedAt'> & { passwordHash: string; verifyBy?: Date };

/** Inserts a user; the unique indexes decide races, so two sign-ups for one name can't both win. */
export async function insertUser(input: NewUserInput, now = new Date()): Promise<PublicUser> {
  const { users } = getTables();
  try {
    const [user] = await getDb()
      .insert(users)
      .values({ ...input, createdAt: now, updatedAt: now })
      .returning(publicUserColumns());
    return user!;
  } catch (error) {
    const field = takenField(error);
    if (field) throw new TakenError(field);
    throw error;
  }
}

/**
 * A sign-up for an address held by an unverified `required`-mode sign-up (one with a deadline):
 * that account is deleted, with everything attached to it, and this one takes the address, in one
 * transaction. Whoever can read the address's mail is the one who can finish either, so the later
 * sign-up wins, and an address can't be held by someone who signed up with it first. Null when no
 * such account holds it (a verified or working account does).
 */
export async function replaceUnverifiedUser(input: NewUserInput & { verifyBy: Date }, now = new Date()): Promise<PublicUser | null> {
  const { users } = getTables();
  try {
    return await transaction(function* (tx) {
      const held = and(eq(users.email, input.email), isNull(users.emailVerifiedAt), isNotNull(users.verifyBy));
      const gone = yield* step(tx.delete(users).where(held).returning({ id: users.id }));
      if (gone.length === 0) throw new Rollback();
      const [user] = yield* step(tx.insert(users).values({ ...input, createdAt: now, updatedAt: now }).returning(publicUserColumns()));
      return user!;
    });
  } catch (error) {
    const field = takenField(error);
    if (field) throw new TakenError(field);
    throw error;
  }
}

/** Email when the login contains "@", else username; both case-insensitive. */
/** `twoStep`: whether the account has two-step verification on (a confirmed authenticator app). */
export type UserForLogin = PublicUser & { passwordHash: string; twoStep: boolean };

export async function findUserForLogin(login: string): Promise<UserForLogin | undefined> {
  const { users, totpFactors } = getTables();
  const value = login.trim().toLowerCase();
  const where = value.includes('@') ? eq(users.email, value) : sql`lower(${users.username}) = ${value}`;
  const [user] = await getDb()
    .select({ ...publicUserColumns(), passwordHash: users.passwordHash, twoStepSince: totpFactors.confirmedAt })
    .from(users)
    .leftJoin(totpFactors, eq(totpFactors.userId, users.id))
    .where(where);
  if (!user) return undefined;
  const { twoStepSince, ...found } = user;
  return { ...found, twoStep: twoStepSince !== null };
}

/**
 * Replaces the password hash. With `expected`, only while the stored hash is still that one (a
 * compare-and-swap after a slow check): false when something changed it meanwhile.
 */
export async function setPasswordHash(userId: number, passwordHash: string, now = new Date(), expected?: string): Promise<boolean> {
  return (await swapPasswordHash(getDb(), userId, passwordHash, now, expected)).length === 1;
}

/**
 * A write that changes nothing, to hold a person's row until the transaction ends (PostgreSQL's
 * row lock; on SQLite the transaction's BEGIN IMMEDIATE already holds the whole database), so
 * what the transaction read about them can't change before it writes. With `passwordHash`, only
 * while that is still their hash. Returns the row it holds, if any.
 */
export function holdUser(db: Db, userId: number, passwordHash?: string) {
  const { users } = getTables();
  const where = passwordHash === undefined ? eq(users.id, userId) : and(eq(users.id, userId), eq(users.passwordHash, passwordHash));
  return db.update(users).set({ passwordHash: sql`${users.passwordHash}` }).where(where).returning({ id: users.id });
}

/** setPasswordHash as a statement, for a transaction: it returns the row it changed, if any. */
export function swapPasswordHash(db: Db, userId: number, passwordHash: string, now: Date, expected?: string) {
  const { users } = getTables();
  const where = expected === undefined ? eq(users.id, userId) : and(eq(users.id, userId), eq(users.passwordHash, expected));
  return db.update(users).set({ passwordHash, updatedAt: now }).where(where).returning({ id: users.id });
}

export async function findUserById(userId: number): Promise<PublicUser | undefined> {
  const { users } = getTables();
  const [user] = await getDb().select(publicUserColumns()).from(users).where(eq(users.id, userId));
  return user;
}

export async function getPasswordHash(userId: number): Promise<string | undefined> {
  const { users } = getTables();
  const [row] = await getDb().select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId));
  return row?.hash;
}

export type ProfileChanges = Partial<Pick<PublicUser, 'username' | 'email' | 'emailVerifiedAt' | 'firstName' | 'lastName' | 'dateOfBirth'>>;

/**
 * Applies profile changes in one statement. With `expectedUpdatedAt`, only if nobody changed the
 * profile since it was read (returns null otherwise). Unique indexes refuse a taken name/email.
 */
export async function updateUser(
  userId: number,
  changes: ProfileChanges,
  now: Date,
  expectedUpdatedAt?: Date,
): Promise<PublicUser | null> {
  const { users } = getTables();
  const where = expectedUpdatedAt
    ? and(eq(users.id, userId), eq(users.updatedAt, expectedUpdatedAt))
    : eq(users.id, userId);
  try {
    const [user] = await getDb().update(users).set({ ...changes, updatedAt: now }).where(where).returning(publicUserColumns());
    return user ?? null;
  } catch (error) {
    const field = takenField(error);
    if (field) throw new TakenError(field);
    throw error;
  }
}

/** Deletes the person, only while their password is still `passwordHash` (the one just checked). */
export async function deleteUser(userId: number, passwordHash: string): Promise<boolean> {
  const { users } = getTables();
  const deleted = await getDb().delete(users).where(and(eq(users.id, userId), eq(users.passwordHash, passwordHash))).returning({ id: users.id });
  return deleted.length === 1;
}

/**
 * Whether an account has this username, in any case; not counting an unverified `required`-mode
 * sign-up with the address `email`, which a new sign-up with that address replaces.
 */
export async function usernameTaken(username: string, email: string): Promise<boolean> {
  const { users } = getTables();
  const replaceable = and(eq(users.email, email), isNull(users.emailVerifiedAt), isNotNull(users.verifyBy));
  const rows = await getDb()
    .select({ id: users.id })
    .from(users)
    .where(and(sql`lower(${users.username}) = ${username.toLowerCase()}`, not(replaceable!)));
  return rows.length > 0;
}

/**
 * Marks the address verified, only while it is still `email` (the one the code or link went to)
 * and not verified yet; the person as they are now, or null when nothing was marked.
 */
export async function markEmailVerified(userId: number, email: string, now = new Date()): Promise<PublicUser | null> {
  const { users } = getTables();
  const [user] = await getDb()
    .update(users)
    .set({ emailVerifiedAt: now })
    .where(and(eq(users.id, userId), eq(users.email, email), isNull(users.emailVerifiedAt)))
    .returning(publicUserColumns());
  return user ?? null;
}

/** Deletes an account that never verified its address (a sign-up started over); false otherwise. */
export async function deleteUnverifiedUser(userId: number, email: string): Promise<boolean> {
  const { users } = getTables();
  const deleted = await getDb()
    .delete(users)
    .where(and(eq(users.id, userId), eq(users.email, email), isNull(users.emailVerifiedAt)))
    .returning({ id: users.id });
  return deleted.length === 1;
}

export async function findUserByEmail(email: string): Promise<PublicUser | undefined> {
  const { users } = getTables();
  const [user] = await getDb().select(publicUserColumns()).from(users).where(eq(users.email, email.trim().toLowerCase()));
  return user;
}
