import 'server-only';
import type { LimitName } from '@/lib/security/rate-limit';
import { knownDevice } from './device';

export type PasswordBudget = { name: Extract<LimitName, 'LOGIN_ACCOUNT' | 'LOGIN_DEVICE'>; key: string };

/**
 * Which budget a password try counts against: the browser's own when it logged in to this account
 * before, else the budget every unknown browser shares for the account. An unknown login counts
 * under the login as typed, exactly like a real account, so the limit says nothing about who is
 * registered.
 */
export function passwordBudget(userId: number | undefined, login: string, deviceCookie: string | undefined): PasswordBudget {
  if (userId === undefined) return { name: 'LOGIN_ACCOUNT', key: `login:${login.trim().toLowerCase()}` };
  const device = knownDevice(deviceCookie, userId);
  return device ? { name: 'LOGIN_DEVICE', key: `user:${userId}:${device}` } : { name: 'LOGIN_ACCOUNT', key: `user:${userId}` };
}
