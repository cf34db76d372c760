// Next calls register() once per server process, in each runtime, and never during `next build`.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    // A bad setting stops the server at start, with every bad variable named, not at the first
    // request that happens to read it.
    const { env } = await import('./lib/env');
    env();
    // The schema is brought up to date before the first request (on PostgreSQL, one instance at a
    // time), and a database that can't be reached stops the start with its reason.
    const { migrateStore } = await import('./lib/db/client');
    await migrateStore();
    const { startRetention } = await import('./lib/retention');
    startRetention();
  }
}
