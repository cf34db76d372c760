import 'server-only';
import { isIPv4, isIPv6 } from 'node:net';
import { RateLimiterPostgres, RateLimiterRes, RateLimiterSQLite } from 'rate-limiter-flexible';
import { store } from '@/lib/db/client';
import { env } from '@/lib/env';

// Every limit in one table: what is counted, how many in what window. Counters live in the
// database (rate-limiter-flexible's SQLite or PostgreSQL store, on the app's own connection or
// pool, table `rate_limits` from our migrations), so they survive a restart and are shared by
// every process and instance on the database. Each can be changed with an
// environment variable `RATE_LIMIT_<NAME>=<points>/<seconds>` (e.g. for load tests).
//
// A limit that guards a secret is taken *before* the secret is checked, in one atomic step
// (`hit`), and given back when the answer was right: concurrent guesses can't all slip in while
// the first ones are still being checked.
export const LIMITS = {
  /**
   * Password tries (logins and current-password checks) per account from browsers not known for
   * it (see lib/auth/device.ts); then those are locked out until the window ends.
   */
  LOGIN_ACCOUNT: { points: 5, seconds: 15 * 60 },
  /** Password tries per account from one browser that logged in to it before: its own budget. */
  LOGIN_DEVICE: { points: 5, seconds: 15 * 60 },
  /** Password tries per client IP, across accounts. */
  LOGIN_IP: { points: 30, seconds: 15 * 60 },
  /** Registrations attempted per client IP. */
  REGISTER_IP: { points: 10, seconds: 60 * 60 },
  /** Registrations attempted per email address (probing one address from many IPs). */
  REGISTER_EMAIL: { points: 5, seconds: 60 * 60 },
  /** Codes asked for by address (a reset, a new verification code) per client IP; per address there is the send limit. */
  FORGOT_IP: { points: 10, seconds: 60 * 60 },
  /** Code checks (reset, email confirmation) per client IP (per code there are 5 tries). */
  CODE_IP: { points: 20, seconds: 10 * 60 },
  /** Code checks per account and purpose, across codes: five codes an hour can't buy 25 guesses an hour. */
  CODE_ACCOUNT: { points: 10, seconds: 24 * 60 * 60 },
  /**
   * Second-factor codes (authenticator or recovery) per account, across browsers and challenges;
   * only a right code resets it — not a right password, not a reset — so someone who has the
   * password gets at most this many guesses at the codes an hour.
   */
  SECOND_FACTOR_ACCOUNT: { points: 10, seconds: 60 * 60 },
  /**
   * Passkey sign-in ceremonies started per client IP: each stores a challenge for 5 minutes, and
   * every view of /login starts one for the login field's autofill; about one a second.
   */
  PASSKEY_OPTIONS_IP: { points: 600, seconds: 10 * 60 },
  /** Username changes per account: each answer says whether a name is taken. */
  TAKEN_ACCOUNT: { points: 20, seconds: 60 * 60 },
  /** Username changes per client IP, across accounts. */
  TAKEN_IP: { points: 20, seconds: 60 * 60 },
} as const;
export type LimitName = keyof typeof LIMITS;

const configured = (name: LimitName): { points: number; seconds: number } => env().RATE_LIMITS[name] ?? LIMITS[name];

type Limiter = RateLimiterSQLite | RateLimiterPostgres;
// Per database (a test may open another), per limit.
const limiters = new WeakMap<object, Map<LimitName, Limiter>>();

function limiter(name: LimitName): Limiter {
  const current = store();
  const handle = current.engine === 'sqlite' ? current.sqlite : current.pool;
  let forStore = limiters.get(handle);
  if (!forStore) limiters.set(handle, (forStore = new Map()));
  let found = forStore.get(name);
  if (!found) {
    const { points, seconds } = configured(name);
    const options = { tableName: 'rate_limits', tableCreated: true, keyPrefix: name, points, duration: seconds };
    found =
      current.engine === 'sqlite'
        ? new RateLimiterSQLite({ ...options, storeClient: current.sqlite, storeType: 'better-sqlite3' })
        : // Its own table cleanup would run on every instance; lib/retention.ts deletes dead rows instead.
          new RateLimiterPostgres({ ...options, storeClient: current.pool, storeType: 'pool', clearExpiredByTimeout: false });
    forStore.set(name, found);
  }
  return found;
}

const secondsOf = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

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

/** Returns the point an attempt took, once it proved right (or was never checked). */
export async function giveBack(name: LimitName, key: string): Promise<void> {
  await limiter(name).reward(key, 1);
}

export async function clear(name: LimitName, key: string): Promise<void> {
  await limiter(name).delete(key);
}

/**
 * The key a client address is limited under. IPv6 clients count by their /64, the network one
 * subscriber gets, so rotating the interface id buys nothing; IPv4-mapped IPv6 is the IPv4
 * address; a port a proxy appended is dropped. Clients without an address share one key.
 */
export function ipKey(ip: string | null): string {
  let value = (ip ?? '').trim().toLowerCase();
  value = /^\[([^\]]+)\](?::\d+)?$/.exec(value)?.[1] ?? value.replace(/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/, '$1');
  value = value.replace(/%.*$/, '').replace(/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/, '$1');
  if (isIPv4(value)) return value;
  if (isIPv6(value)) return `${ipv6Groups(value).slice(0, 4).join(':')}::/64`;
  return value ? value.slice(0, 64) : 'unknown';
}

/** The eight groups of an IPv6 address, without leading zeros ('::' expanded). */
function ipv6Groups(address: string): string[] {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) =>
    part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [String(parseInt(g, 16).toString(16))])) : [];
  const before = groups(head);
  const after = groups(tail);
  return tail === undefined ? before : [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
}

/** "N minutes" (or seconds, under two minutes) for messages. */
export function waitText(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export const TOO_MANY_ATTEMPTS = (seconds: number) => `Too many attempts. Try again in ${waitText(seconds)}.`;
