// Preload for profiling a running server: `node --import ./bench/profile-on-signal.mjs
// scripts/server.mjs`, then `kill -USR2 <pid>` to start the CPU profiler and again to stop it and
// write profile-<n>.cpuprofile to PROFILE_DIR (default: the working directory). `--cpu-prof` only
// writes at exit and covers start-up too; this captures just the steady state under load.
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
let running = false;
let written = 0;

process.on('SIGUSR2', () => {
  if (!running) {
    session.post('Profiler.start');
    running = true;
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) return console.error(`[profile] ${error.message}`);
    written += 1;
    const file = path.resolve(process.env.PROFILE_DIR ?? '.', `profile-${written}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(result.profile));
    console.log(`[profile] wrote ${file}`);
  });
});
