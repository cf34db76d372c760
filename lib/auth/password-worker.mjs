// Runs in a piscina worker thread: bcrypt is CPU-bound for ~100 ms, and bcryptjs's async API
// still computes on the calling thread, so requests would queue behind every login.
import fs from 'node:fs';
import os from 'node:os';
import bcrypt from 'bcryptjs';

// Hashing yields to request handling. Linux gives each thread its own nice value, so this lowers
// the worker thread only: in a login storm the hash threads take the CPU that requests leave,
// instead of an equal share with the thread that answers everyone else. A no-op where
// /proc/thread-self doesn't exist.
try {
  const threadId = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(threadId) && threadId > 0) os.setPriority(threadId, 10);
} catch {
  // Not Linux, or not allowed: hashing runs at normal priority.
}

export default function run(task) {
  if (task.op === 'hash') return bcrypt.hashSync(task.input, task.cost);
  if (task.op === 'verify') return bcrypt.compareSync(task.input, task.hash);
  throw new Error(`unknown op ${task.op}`);
}
