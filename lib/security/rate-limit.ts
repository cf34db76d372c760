import 'server-only';
import { RateLimiterRes, RateLimiterSQLite } from 'rate-limiter-flexible';
import { getDb } from '@/lib/db/client';

// Every limit in one table: what is counted, how many in what window. Counters live in SQLite
// (rate-limiter-flexible's store, table `rate_limits` from our migrations), so they survive a
// restart and are shared by every process on the database. Each can be changed with an
// environment variable `RATE_LIMIT_<NAME>=<points>/<seconds>` (e.g. for load tests).
export const LIMITS = {
  /** Failed logins (and wrong current passwords) per account; then locked until the window ends. */
  LOGIN_ACCOUNT: { points: 5, seconds: 15 * 60 },
  /** Failed logins per client IP, across accounts. */
  LOGIN_IP: { points: 30, seconds: 15 * 60 },
  /** Registrations attempted per client IP. */
  REGISTER_IP: { points: 10, seconds: 60 * 60 },
  /** Registrations attempted per email address (probing one address from many IPs). */
  REGISTER_EMAIL: { points: 5, seconds: 60 * 60 },
  /** Password-reset requests per client IP (per address there is the code send limit). */
  FORGOT_IP: { points: 10, seconds: 60 * 60 },
  /** Code checks (reset, email confirmation) per client IP (per code there are 5 tries). */
  CODE_IP: { points: 20, seconds: 10 * 60 },
} as const;
export type LimitName = keyof typeof LIMITS;

function configured(name: LimitName): { points: number; seconds: number } {
  const raw = process.env[`RATE_LIMIT_${name}`];
  const match = raw ? /^(\d{1,9})\/(\d{1,9})$/.exec(raw.trim()) : null;
  if (raw && !match) throw new Error(`RATE_LIMIT_${name} must look like <points>/<seconds>, e.g. 5/900`);
  return match ? { points: Number(match[1]), seconds: Number(match[2]) } : LIMITS[name];
}

const limiters = new Map<LimitName, RateLimiterSQLite>();

function limiter(name: LimitName): RateLimiterSQLite {
  let found = limiters.get(name);
  if (!found) {
    const { points, seconds } = configured(name);
    found = new RateLimiterSQLite({
      storeClient: getDb().$client,
      storeType: 'better-sqlite3',
      tableName: 'rate_limits',
      tableCreated: true,
      keyPrefix: name,
      points,
      duration: seconds,
    });
    limiters.set(name, found);
  }
  return found;
}

const secondsOf = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** Seconds until `key` may try again, or 0 when it may now. Counts nothing. */
export async function blockedFor(name: LimitName, key: string): Promise<number> {
  const state = await limiter(name).get(key);
  return state && state.consumedPoints >= configured(name).points ? secondsOf(state) : 0;
}

/** Counts one attempt; the seconds to wait when that was one too many, else 0. */
export async function hit(name: LimitName, key: string): Promise<number> {
  try {
    await limiter(name).consume(key);
    return 0;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return secondsOf(rejection);
    throw rejection;
  }
}

export async function clear(name: LimitName, key: string): Promise<void> {
  await limiter(name).delete(key);
}

/** "N minutes" (or seconds, under two minutes) for messages. */
export function waitText(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export const TOO_MANY_ATTEMPTS = (seconds: number) => `Too many attempts. Try again in ${waitText(seconds)}.`;
