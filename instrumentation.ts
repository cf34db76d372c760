// Next calls register() once per server process, in each runtime, and never during `next build`.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    // A bad setting stops the server at start, with every bad variable named, not at the first
    // request that happens to read it.
    const { env } = await import('./lib/env');
    const { isProduction } = await import('./lib/env-edge');
    const { engineOf, migrateStore } = await import('./lib/db/client');
    const settings = env();
    // PostgreSQL is how several instances share one database; each must then run the same build,
    // or share the key its server actions are encrypted with (docs/deployment.md).
    if (engineOf(settings.DATABASE_URL) === 'postgres' && !settings.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY && isProduction()) {
      console.warn('Gatehouse: NEXT_SERVER_ACTIONS_ENCRYPTION_KEY is not set; forms work across instances only if every instance runs this same build (docs/deployment.md).');
    }
    // The schema is brought up to date before the first request (on PostgreSQL, one instance at a
    // time), and a database that can't be reached stops the start with its reason.
    await migrateStore();
    const { startRetention } = await import('./lib/retention');
    startRetention();
  }
}
