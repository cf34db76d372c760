// Runs in a piscina worker thread: bcrypt is CPU-bound for ~100 ms, and bcryptjs's async API
// still computes on the calling thread, so requests would queue behind every login.
import bcrypt from 'bcryptjs';

export default function run(task) {
  if (task.op === 'hash') return bcrypt.hashSync(task.input, task.cost);
  if (task.op === 'verify') return bcrypt.compareSync(task.input, task.hash);
  throw new Error(`unknown op ${task.op}`);
}
