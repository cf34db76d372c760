import 'server-only';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  deleteCodesExpiredBefore,
  deleteDeadRateLimits,
  deleteLoginChallengesExpiredBefore,
  deleteSecurityEventsBefore,
  deleteSessionsEndedBefore,
  deleteUnconfirmedTotpBefore,
  deleteUnverifiedAccountsBefore,
  deleteWebauthnChallengesExpiredBefore,
} from '@/lib/db/queries/retention';
import { errorLine } from '@/lib/db/client';
import { env } from '@/lib/env';

const DAY = 24 * 60 * 60 * 1000;

/** How long records are kept after they stop serving their purpose (docs/security.md says why). */
export const KEEP = {
  /** After a session ended: long enough to tie a recent activity entry to its session. */
  endedSessions: 30 * DAY,
  /** After a code expired: well past the hour the send limit counts back (lib/auth/otp.ts). */
  expiredCodes: DAY,
  securityEvents: 365 * DAY,
  /** After a second-step or WebAuthn challenge expired (each lives 5 minutes): nothing reads it any more. */
  expiredChallenges: 60 * 60 * 1000,
  /** An authenticator-app setup never confirmed: the person has had an hour to scan and enter a code. */
  unconfirmedTotp: 60 * 60 * 1000,
  outboxMail: 7 * DAY,
} as const;

export const FIRST_RUN_AFTER_MS = 10_000;
export const RUN_EVERY_MS = 60 * 60 * 1000;
const BATCH = 1000;

/** lib/mail/send.ts names each message `<sent at, ms>-<hex>.json`, with `.tmp` while writing it. */
const OUTBOX_NAME = /^(\d+)-[0-9a-f]+\.json(?:\.tmp)?$/;

export type Deleted = {
  rateLimits: number;
  sessions: number;
  codes: number;
  securityEvents: number;
  unverifiedAccounts: number;
  loginChallenges: number;
  unconfirmedTotp: number;
  webauthnChallenges: number;
  outboxFiles: number;
};

/**
 * Deletes what is no longer kept as of `now`. Every step is idempotent, so processes sharing the
 * database may run it at the same time.
 */
export async function runRetention(now = new Date()): Promise<Deleted> {
  const before = (ms: number) => new Date(now.getTime() - ms);
  return {
    rateLimits: await inBatches((limit) => deleteDeadRateLimits(now, limit)),
    sessions: await inBatches((limit) => deleteSessionsEndedBefore(before(KEEP.endedSessions), limit)),
    codes: await inBatches((limit) => deleteCodesExpiredBefore(before(KEEP.expiredCodes), limit)),
    securityEvents: await inBatches((limit) => deleteSecurityEventsBefore(before(KEEP.securityEvents), limit)),
    // Only sign-ups made under `required`, which can't be used until verified (users.verify_by).
    unverifiedAccounts: await inBatches((limit) => deleteUnverifiedAccountsBefore(now, limit)),
    loginChallenges: await inBatches((limit) => deleteLoginChallengesExpiredBefore(before(KEEP.expiredChallenges), limit)),
    unconfirmedTotp: await inBatches((limit) => deleteUnconfirmedTotpBefore(before(KEEP.unconfirmedTotp), limit)),
    webauthnChallenges: await inBatches((limit) => deleteWebauthnChallengesExpiredBefore(before(KEEP.expiredChallenges), limit)),
    outboxFiles: await deleteOldMail(path.resolve(env().MAIL_OUTBOX_DIR), before(KEEP.outboxMail).getTime()),
  };
}

// One DELETE of a backlog (the first run on a database that kept everything) would hold the write
// lock for seconds, and on SQLite, which is synchronous, stall every request of this process.
async function inBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch(BATCH);
    total += deleted;
    if (deleted < BATCH) return total;
    await yieldToEventLoop();
  }
}

// Aged by the time in the name, which send.ts wrote, not by mtime, which a copy or restore resets;
// and only files named like ours, since MAIL_OUTBOX_DIR may point at a folder with other files.
async function deleteOldMail(dir: string, before: number): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const old = names.filter((name) => Number(OUTBOX_NAME.exec(name)?.[1] ?? Infinity) < before);
  // force: another process running the job may have deleted the file first.
  await Promise.all(old.map((name) => fs.rm(path.join(dir, name), { force: true })));
  return old.length;
}

/**
 * Runs the job shortly after start-up (not within it: the server answers no request until
 * `register()` returns), then hourly. The timers never keep the process alive; a failure is
 * logged in one line and never reaches the server, and the next run tries again.
 */
export function startRetention(): void {
  const schedule = (delay: number) => {
    setTimeout(async () => {
      try {
        await runRetention();
      } catch (error) {
        console.error(`[retention] failed: ${errorLine(error)}`);
      }
      schedule(RUN_EVERY_MS);
    }, delay).unref();
  };
  schedule(FIRST_RUN_AFTER_MS);
}
