// Next calls register() once per server process, in each runtime, and never during `next build`.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startRetention } = await import('./lib/retention');
    startRetention();
  }
}
