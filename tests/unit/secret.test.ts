import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretError, ensureDevSecret, requireProductionSecret } from '@/lib/config/secret';

describe('AUTH_SECRET in production', () => {
  it('must be set', () => {
    expect(() => requireProductionSecret({})).toThrowError(SecretError);
    expect(() => requireProductionSecret({})).toThrowError(/AUTH_SECRET is not set/);
  });

  it('must be at least 32 bytes', () => {
    expect(() => requireProductionSecret({ AUTH_SECRET: 'short' })).toThrowError(/too short \(5 bytes/);
    expect(() => requireProductionSecret({ AUTH_SECRET: 'x'.repeat(32) })).not.toThrow();
  });

  it('holds every former secret in AUTH_SECRET_PREVIOUS to the same length rule', () => {
    const good = 'x'.repeat(32);
    expect(() => requireProductionSecret({ AUTH_SECRET: good, AUTH_SECRET_PREVIOUS: `${good},short` })).toThrowError(
      /AUTH_SECRET_PREVIOUS \(secret 2\) is too short \(5 bytes/,
    );
    expect(() => requireProductionSecret({ AUTH_SECRET: good, AUTH_SECRET_PREVIOUS: ` ${good} , ${'y'.repeat(40)} ` })).not.toThrow();
  });
});

describe('the development secret', () => {
  it('is generated once into .data with mode 0600, then reused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-secret-'));
    const first: { AUTH_SECRET?: string } = {};
    ensureDevSecret(first, dir);
    expect(Buffer.byteLength(first.AUTH_SECRET!)).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(path.join(dir, 'auth-secret')).mode & 0o777).toBe(0o600);
    const second: { AUTH_SECRET?: string } = {};
    ensureDevSecret(second, dir);
    expect(second.AUTH_SECRET).toBe(first.AUTH_SECRET);
  });

  it('is the same for processes starting together on an empty folder: one writes it, the others read it', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-secret-')), '.data');
    const root = path.resolve(import.meta.dirname, '../..');
    // Each loads the module and says so; then all are told to go at once (one write to each stdin).
    const script = `const { ensureDevSecret } = require('./lib/config/secret'); const env = {}; process.stdout.write('ready ');
      process.stdin.once('data', () => { ensureDevSecret(env, ${JSON.stringify(dir)}); process.stdout.write(env.AUTH_SECRET); process.exit(0); });`;
    const racers = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '-e', script], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      const ready = new Promise<void>((resolve) => child.stdout.on('data', (chunk) => (out += chunk) && out.startsWith('ready ') && resolve()));
      const secret = new Promise<string>((resolve) => child.once('close', () => resolve(out.slice('ready '.length))));
      return { child, ready, secret };
    });
    await Promise.all(racers.map((racer) => racer.ready));
    for (const { child } of racers) child.stdin.write('go');
    const secrets = await Promise.all(racers.map((racer) => racer.secret));
    expect(Buffer.byteLength(secrets[0]!)).toBeGreaterThanOrEqual(32);
    expect(new Set(secrets)).toEqual(new Set([secrets[0]]));
    expect(fs.readFileSync(path.join(dir, 'auth-secret'), 'utf8')).toBe(`${secrets[0]}\n`);
    expect(fs.statSync(path.join(dir, 'auth-secret')).mode & 0o777).toBe(0o600);
    // Nothing else left behind (no temporary files).
    expect(fs.readdirSync(dir)).toEqual(['auth-secret']);
  });

  it('replaces a file too short to be a secret', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-secret-'));
    fs.writeFileSync(path.join(dir, 'auth-secret'), '', { mode: 0o600 });
    const env: { AUTH_SECRET?: string } = {};
    ensureDevSecret(env, dir);
    expect(Buffer.byteLength(env.AUTH_SECRET!)).toBeGreaterThanOrEqual(32);
    expect(fs.readFileSync(path.join(dir, 'auth-secret'), 'utf8')).toBe(`${env.AUTH_SECRET}\n`);
    expect(fs.readdirSync(dir)).toEqual(['auth-secret']);
  });

  it('is not touched when AUTH_SECRET is set', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-secret-'));
    const env: { AUTH_SECRET?: string } = { AUTH_SECRET: 'mine' };
    ensureDevSecret(env, dir);
    expect(env.AUTH_SECRET).toBe('mine');
    expect(fs.existsSync(path.join(dir, 'auth-secret'))).toBe(false);
  });
});
