import 'server-only';
import { z } from 'zod';

// Server settings read from the environment, checked once. AUTH_SECRET is settled earlier, in
// next.config.ts (lib/config/secret.ts), because the Edge middleware needs it too.
const schema = z.object({
  BCRYPT_COST: z.coerce
    .number()
    .int()
    .min(10, 'BCRYPT_COST must be at least 10')
    .max(15, 'BCRYPT_COST above 15 takes seconds per login')
    .default(11),
  PASSWORD_HASH_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  /** Hashes waiting for a thread; past this, answer 503 "busy" rather than queue without end. */
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(1).max(10_000).default(64),
  // Mail: Resend when a key is set, else JSON files in the outbox folder.
  RESEND_API_KEY: z.string().min(1).optional(),
  MAIL_FROM: z.string().min(3).default('Gatehouse <no-reply@gatehouse.local>'),
  MAIL_OUTBOX_DIR: z.string().min(1).default('.data/outbox'),
  /** The public URL used in links inside mail; never taken from the request's Host header. */
  AUTH_URL: z.url().optional(),
  /** Origins (comma-separated) whose scripts may call the JSON API; none by default. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim().replace(/\/$/, '')).filter(Boolean)),
});

export type Env = z.infer<typeof schema>;
let parsed: Env | undefined;

export function env(): Env {
  if (!parsed) {
    // An empty variable (as .env.example leaves them) means "not set".
    const result = schema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new Error(`Invalid environment: ${issue.path.join('.')}: ${issue.message}`);
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
