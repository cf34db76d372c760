import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { getDb } from '../client';
import { users } from '../schema';

/** What leaves the data layer about a person: never the password hash. */
export const publicUserColumns = {
  id: users.id,
  username: users.username,
  email: users.email,
  firstName: users.firstName,
  lastName: users.lastName,
  dateOfBirth: users.dateOfBirth,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

export type PublicUser = Omit<typeof users.$inferSelect, 'passwordHash'>;

export type UniqueField = 'username' | 'email';

/** A unique index said no: which field was taken. */
export class TakenError extends Error {
  constructor(readonly field: UniqueField) {
    super(`${field} is taken`);
  }
}

export function takenField(error: unknown): UniqueField | null {
  if (!(error instanceof Error) || (error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') return null;
  if (error.message.includes('users.email')) return 'email';
  if (error.message.includes('username')) return 'username';
  return null;
}

export type NewUserInput = Omit<PublicUser, 'id' | 'createdAt' | 'updatedAt'> & { passwordHash: string };

/** Inserts a user; the unique indexes decide races, so two sign-ups for one name can't both win. */
export function insertUser(input: NewUserInput, now = new Date()): PublicUser {
  try {
    return getDb()
      .insert(users)
      .values({ ...input, createdAt: now, updatedAt: now })
      .returning(publicUserColumns)
      .get();
  } catch (error) {
    const field = takenField(error);
    if (field) throw new TakenError(field);
    throw error;
  }
}

/** Email when the login contains "@", else username; both case-insensitive. */
export type UserForLogin = PublicUser & { passwordHash: string };

export function findUserForLogin(login: string): UserForLogin | undefined {
  const value = login.trim().toLowerCase();
  const where = value.includes('@') ? eq(users.email, value) : sql`lower(${users.username}) = ${value}`;
  return getDb()
    .select({ ...publicUserColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(where)
    .get();
}

/**
 * Replaces the password hash. With `expected`, only while the stored hash is still that one (a
 * compare-and-swap after a slow check): false when something changed it meanwhile.
 */
export function setPasswordHash(userId: number, passwordHash: string, now = new Date(), expected?: string): boolean {
  const where = expected === undefined ? eq(users.id, userId) : and(eq(users.id, userId), eq(users.passwordHash, expected));
  return getDb().update(users).set({ passwordHash, updatedAt: now }).where(where).run().changes === 1;
}

export function findUserById(userId: number): PublicUser | undefined {
  return getDb().select(publicUserColumns).from(users).where(eq(users.id, userId)).get();
}

export function getPasswordHash(userId: number): string | undefined {
  return getDb().select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId)).get()?.hash;
}

export type ProfileChanges = Partial<Pick<PublicUser, 'username' | 'email' | 'firstName' | 'lastName' | 'dateOfBirth'>>;

/**
 * Applies profile changes in one statement. With `expectedUpdatedAt`, only if nobody changed the
 * profile since it was read (returns null otherwise). Unique indexes refuse a taken name/email.
 */
export function updateUser(
  userId: number,
  changes: ProfileChanges,
  now: Date,
  expectedUpdatedAt?: Date,
): PublicUser | null {
  const where = expectedUpdatedAt
    ? and(eq(users.id, userId), eq(users.updatedAt, expectedUpdatedAt))
    : eq(users.id, userId);
  try {
    return getDb().update(users).set({ ...changes, updatedAt: now }).where(where).returning(publicUserColumns).get() ?? null;
  } catch (error) {
    const field = takenField(error);
    if (field) throw new TakenError(field);
    throw error;
  }
}

/** Deletes the person, only while their password is still `passwordHash` (the one just checked). */
export function deleteUser(userId: number, passwordHash: string): boolean {
  return getDb().delete(users).where(and(eq(users.id, userId), eq(users.passwordHash, passwordHash))).run().changes === 1;
}

export function findUserByEmail(email: string): PublicUser | undefined {
  return getDb().select(publicUserColumns).from(users).where(eq(users.email, email.trim().toLowerCase())).get();
}
