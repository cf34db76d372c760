import 'server-only';
import { eq, sql } from 'drizzle-orm';
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

export type PublicUser = {
  id: number;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  createdAt: Date;
  updatedAt: Date;
};

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
export function findUserForLogin(login: string): (PublicUser & { passwordHash: string }) | undefined {
  const value = login.trim().toLowerCase();
  const where = value.includes('@') ? eq(users.email, value) : sql`lower(${users.username}) = ${value}`;
  return getDb()
    .select({ ...publicUserColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(where)
    .get();
}

export function setPasswordHash(userId: number, passwordHash: string, now = new Date()): void {
  getDb().update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, userId)).run();
}
