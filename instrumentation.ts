// Next calls register() once per server process, in each runtime, and never during `next build`.
// The work is Node's alone (lib/server-start.ts); this file is compiled for the Edge runtime too.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServerProcess } = await import('./lib/server-start');
    await startServerProcess();
  }
}
