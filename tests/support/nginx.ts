// Debian's nginx in front of test servers, on a free loopback port, with the proxy settings
// deploy/nginx/gatehouse-proxy.conf ships (so the test runs them), round-robin over `upstreams`.
// Its access log names the instance that answered each request.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

export type Nginx = { url: string; accessLog: string; errorLog: string; stop(): Promise<void> };

const proxyConf = path.resolve(import.meta.dirname, '../../deploy/nginx/gatehouse-proxy.conf');
const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

/** `upstreams`: base URLs like http://127.0.0.1:4000. */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-nginx-'));
  const port = await freePort();
  const accessLog = path.join(dir, 'access.log');
  const errorLog = path.join(dir, 'error.log');
  const temp = (name: string) => `${name} ${path.join(dir, name)};`;
  const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${path.join(dir, 'nginx.pid')};
error_log ${errorLog} warn;
events { worker_connections 512; }
http {
  ${['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path'].map(temp).join('\n  ')}
  log_format upstream '$request_method $uri $status $upstream_addr';
  access_log ${accessLog} upstream;
  upstream gatehouse {
    ${upstreams.map((u) => `server ${new URL(u).host} max_fails=3 fail_timeout=10s;`).join('\n    ')}
    keepalive 16;
    keepalive_timeout 4s;
  }
  server {
    listen 127.0.0.1:${port};
    location / { include ${proxyConf}; }
  }
}`;
  const confFile = path.join(dir, 'nginx.conf');
  fs.writeFileSync(confFile, conf);
  const child = spawn(NGINX, ['-p', dir, '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}`);
    try {
      await fetch(`${url}/api/health`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not answer within 10 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    accessLog,
    errorLog,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Which upstream answered each logged request, e.g. `POST /account/profile 200 127.0.0.1:4001`. */
export const accessLines = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);
