import 'server-only';
import { z } from 'zod';

// Every server setting read from the environment, checked once, at start-up (instrumentation.ts):
// one error lists every bad variable. What the Edge middleware needs too (AUTH_URL, the secrets)
// is read by lib/env-edge.ts; AUTH_SECRET itself is settled earlier, in next.config.ts
// (lib/config/secret.ts). Nothing else reads process.env.

const RATE_LIMIT = /^RATE_LIMIT_([A-Z_]+)$/;

/**
 * A sign-in provider's address: https, or http on this machine only (tests, development). Auth.js
 * itself would take any http:// issuer.
 */
const providerUrl = z.url().refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
}, 'must be an https:// URL (http:// only for localhost)');

const schema = z.object({
  /** SQLite file path (`file:` prefix allowed) or `:memory:`; `postgres://…` for PostgreSQL. */
  DATABASE_URL: z.string().default('.data/app.db'),
  /** PostgreSQL: connections per process (each worker of each instance has its own pool). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * The AES key Next encrypts server actions' bound values with (read by Next itself). Unset,
   * each build makes its own: instances then work together only when they run one build.
   */
  NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: z
    .string()
    .refine((value) => [16, 24, 32].includes(Buffer.from(value, 'base64').length), 'must be a base64 AES key of 16, 24 or 32 bytes (openssl rand -base64 32)')
    .optional(),
  /** PostgreSQL: how long a connection or a query may take before the request gets a 503. */
  DATABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  BCRYPT_COST: z.coerce
    .number()
    .int()
    .min(10, 'BCRYPT_COST must be at least 10')
    .max(15, 'BCRYPT_COST above 15 takes seconds per login')
    .default(11),
  PASSWORD_HASH_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  /** Server processes on this machine (scripts/server.mjs starts them and tells each). */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Set by scripts/server.mjs for its workers: '1' for the one that runs the hourly retention job
   * and prints start-up notices, '0' for the others. A process on its own does both.
   */
  GATEHOUSE_HOUSEKEEPER: z
    .enum(['0', '1'])
    .default('1')
    .transform((value) => value === '1'),
  /** Hashes waiting for a thread; past this, answer 503 "busy" rather than queue without end. */
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(1).max(10_000).default(64),
  // Mail: Resend when a key is set, else JSON files in the outbox folder.
  RESEND_API_KEY: z.string().min(1).optional(),
  MAIL_FROM: z.string().min(3).default('Gatehouse <no-reply@gatehouse.local>'),
  MAIL_OUTBOX_DIR: z.string().min(1).default('.data/outbox'),
  /**
   * Whether an address must be proved before its account is used (docs/account.md, "Verified
   * email"): `required` (no sign-in until then; sign-ups don't tell who is registered),
   * `optional` (usable at once, asked to verify), `off` (no mail at sign-up).
   */
  EMAIL_VERIFICATION: z.enum(['required', 'optional', 'off']).default('required'),
  /** `required` mode: days an account that never verified its address is kept, its name and address held. */
  UNVERIFIED_ACCOUNT_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** The public URL used in links inside mail; never taken from the request's Host header. */
  AUTH_URL: z.url().optional(),
  // Sign-in providers (docs/account.md, "Sign-in providers"), Auth.js's names; each needs its id
  // and secret, and appears only when both are set.
  AUTH_GITHUB_ID: z.string().min(1).optional(),
  AUTH_GITHUB_SECRET: z.string().min(1).optional(),
  /** GitHub Enterprise Server's address instead of github.com. */
  AUTH_GITHUB_ENTERPRISE_URL: providerUrl.optional(),
  AUTH_GOOGLE_ID: z.string().min(1).optional(),
  AUTH_GOOGLE_SECRET: z.string().min(1).optional(),
  /** Any OpenID Connect provider: discovery at `<issuer>/.well-known/openid-configuration`. */
  AUTH_OIDC_ISSUER: providerUrl.optional(),
  AUTH_OIDC_ID: z.string().min(1).optional(),
  AUTH_OIDC_SECRET: z.string().min(1).optional(),
  /** The OpenID Connect provider's name on its button. */
  AUTH_OIDC_NAME: z.string().trim().min(1).max(40).default('OpenID Connect'),
  /** Origins (comma-separated) whose scripts may call the JSON API; none by default. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim().replace(/\/$/, '')).filter(Boolean)),
  /** `RATE_LIMIT_<NAME>=<points>/<seconds>` overrides (lib/security/rate-limit.ts names them). */
  RATE_LIMITS: z.record(
    z.string(),
    z
      .string()
      .regex(/^\s*\d{1,9}\/\d{1,9}\s*$/, 'must look like <points>/<seconds>, e.g. 5/900')
      .transform((value) => {
        const [points, seconds] = value.trim().split('/').map(Number) as [number, number];
        return { points, seconds };
      }),
  ),
}).superRefine((value, context) => {
  // Half a provider is a mistake to name at start-up, not a button that fails.
  const groups = { GITHUB: ['AUTH_GITHUB_ID', 'AUTH_GITHUB_SECRET'], GOOGLE: ['AUTH_GOOGLE_ID', 'AUTH_GOOGLE_SECRET'], OIDC: ['AUTH_OIDC_ISSUER', 'AUTH_OIDC_ID', 'AUTH_OIDC_SECRET'] } as const;
  for (const names of Object.values(groups)) {
    const set = names.filter((name) => value[name] !== undefined);
    if (set.length > 0 && set.length < names.length) {
      for (const name of names.filter((name) => value[name] === undefined)) context.addIssue({ code: 'custom', path: [name], message: `is needed with ${set.join(' and ')}` });
    }
  }
});

export type Env = z.infer<typeof schema>;
let parsed: Env | undefined;

export function env(): Env {
  if (!parsed) {
    // An empty variable (as .env.example leaves them) means "not set".
    const set = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''));
    const limits = Object.fromEntries(Object.entries(set).flatMap(([name, value]) => (RATE_LIMIT.test(name) ? [[RATE_LIMIT.exec(name)![1]!, value]] : [])));
    const result = schema.safeParse({ ...set, RATE_LIMITS: limits });
    if (!result.success) {
      const problems = result.error.issues.map((issue) => {
        const [name, key] = issue.path.map(String);
        return `${name === 'RATE_LIMITS' ? `RATE_LIMIT_${key}` : name}: ${issue.message}`;
      });
      throw new Error(`Invalid environment: ${problems.join('; ')}`);
    }
    parsed = result.data;
  }
  return parsed;
}

/** An absolute link to a page of this site for mail, or null when AUTH_URL (its public URL) is unset. */
export function publicUrl(pathAndQuery: string): string | null {
  const base = env().AUTH_URL;
  return base ? new URL(pathAndQuery, base).toString() : null;
}
