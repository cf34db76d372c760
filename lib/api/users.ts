import 'server-only';
import type { PublicUser } from '@/lib/db/queries/users';
import type { ApiUser } from '@/lib/validation/api';
import type { ApiCaller } from './auth';
import { notYours } from './errors';

export function toApiUser(user: PublicUser): ApiUser {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    dateOfBirth: user.dateOfBirth,
    emailVerified: user.emailVerifiedAt !== null,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

/** `/users/{username}` must name the caller (in any case); anyone else's name gets the same 403. */
export function requireOwnAccount(caller: ApiCaller, params: Record<string, string | string[]>): void {
  const named = params.username;
  if (typeof named !== 'string' || named.toLowerCase() !== caller.user.username.toLowerCase()) throw notYours();
}
