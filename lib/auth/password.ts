import 'server-only';
import { createHmac, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { Piscina } from 'piscina';
import { env } from '@/lib/env';

/**
 * bcrypt reads only the first 72 bytes, so "every character counts" needs a pre-hash: the
 * NFKC-normalised password goes through HMAC-SHA-384 (a fixed, public key: domain separation,
 * not a pepper) and the 64-character base64 digest is what bcrypt sees. Nothing is truncated.
 */
const PREHASH_KEY = 'gatehouse/password/v1';

export function prehash(password: string): string {
  return createHmac('sha384', PREHASH_KEY).update(password.normalize('NFKC'), 'utf8').digest('base64');
}

type Task = { op: 'hash'; input: string; cost: number } | { op: 'verify'; input: string; hash: string };

/**
 * The hashing queue is full: answer "busy, try again shortly" (the API's 503, the forms' message)
 * instead of queueing without end under a memory cap. Nothing was checked or changed.
 */
export class HashingBusyError extends Error {
  /** How long to tell the client to wait. */
  readonly retryAfterSeconds = 5;
  constructor() {
    super('password hashing queue is full');
  }
}

const holder = globalThis as unknown as { gatehousePasswordPool?: Piscina<Task, string | boolean> };

function pool(): Piscina<Task, string | boolean> {
  holder.gatehousePasswordPool ??= new Piscina<Task, string | boolean>({
    // A file on disk, not a bundled module: worker threads load it by path at run time.
    filename: path.join(process.cwd(), 'lib/auth/password-worker.mjs'),
    minThreads: 1,
    // The machine's cores, shared by the server processes on it: each worker hashing on every core
    // would only add threads that wait for one.
    maxThreads: env().PASSWORD_HASH_THREADS ?? Math.max(1, Math.floor(os.availableParallelism() / env().WEB_CONCURRENCY)),
    idleTimeout: 60_000,
    // First come, first hashed. By default piscina sends a task it could not hand to a busy thread
    // to the back of the queue, so under steady load one login could wait until the load ended.
    stricterFIFO: true,
  });
  return holder.gatehousePasswordPool;
}

async function run(task: Task): Promise<string | boolean> {
  const hashing = pool();
  // Checked and queued in one synchronous step, so concurrent requests can't overshoot it.
  if (hashing.queueSize >= env().PASSWORD_HASH_QUEUE) throw new HashingBusyError();
  return hashing.run(task);
}

export async function hashPassword(password: string): Promise<string> {
  return (await run({ op: 'hash', input: prehash(password), cost: env().BCRYPT_COST })) as string;
}

/**
 * What an account without a password holds (one made through a sign-in provider): '!' and random
 * characters. No password hashes to it, and verifyPassword refuses it in a real compare's time.
 */
export const unusablePasswordHash = (): string => `!${randomBytes(24).toString('base64url')}`;
export const isUsablePasswordHash = (hash: string): boolean => !hash.startsWith('!');

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!isUsablePasswordHash(hash)) {
    await run({ op: 'verify', input: prehash(password), hash: await dummyHash() });
    return false;
  }
  return (await run({ op: 'verify', input: prehash(password), hash })) === true;
}

/** The cost is read from the stored hash, so raising BCRYPT_COST upgrades hashes at next login. */
export function needsRehash(hash: string): boolean {
  return bcrypt.getRounds(hash) < env().BCRYPT_COST;
}

let dummy: Promise<string> | undefined;

/**
 * A real hash at the current cost, of a random password nobody knows: comparing against it when
 * there is no such user makes "unknown account" cost the same time as "wrong password".
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('base64'));
  return dummy;
}
