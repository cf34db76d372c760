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

  it('is not touched when AUTH_SECRET is set', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-secret-'));
    const env: { AUTH_SECRET?: string } = { AUTH_SECRET: 'mine' };
    ensureDevSecret(env, dir);
    expect(env.AUTH_SECRET).toBe('mine');
    expect(fs.existsSync(path.join(dir, 'auth-secret'))).toBe(false);
  });
});
