// The real mail path: a second production server whose Resend SDK talks to a fake Resend API on
// 127.0.0.1 (the SDK reads RESEND_BASE_URL), so we see exactly what would leave for Resend.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectText, launchBrowser, newPerson, register, type Person } from './support/browser';
import { startServer, type Server } from './support/server';

type Received = { authorization?: string; path?: string; body: { from: string; to: string[]; subject: string; text: string; html: string } };

const API_KEY = 're_test_0123456789';
const FROM = 'Gatehouse <accounts@gatehouse.test>';
let fake: http.Server;
let answer = 200;
const received: Received[] = [];
let server: Server;
let browser: Browser;

beforeAll(async () => {
  fake = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      received.push({ authorization: req.headers.authorization, path: req.url, body: JSON.parse(raw) });
      res.writeHead(answer, { 'content-type': 'application/json' });
      res.end(answer === 200 ? JSON.stringify({ id: `fake-${received.length}` }) : JSON.stringify({ statusCode: answer, name: 'internal_server_error', message: 'Resend is down' }));
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const { port } = fake.address() as AddressInfo;
  server = await startServer({ RESEND_API_KEY: API_KEY, RESEND_BASE_URL: `http://127.0.0.1:${port}`, MAIL_FROM: FROM });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => fake?.close(resolve));
});

async function page(): Promise<Page> {
  return (await browser.newContext({ baseURL: server.baseUrl })).newPage();
}

async function registered(): Promise<Person> {
  const person = newPerson();
  await register(await page(), person);
  return person;
}

async function mailsTo(to: string, count: number): Promise<Received[]> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const mails = received.filter((r) => r.body.to.includes(to));
    if (mails.length >= count) return mails;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fake Resend got ${received.filter((r) => r.body.to.includes(to)).length} mails to ${to}, expected ${count}`);
}

async function askForCode(p: Page, email: string) {
  await p.goto('/forgot-password');
  await p.fill('#email', email);
  await p.getByRole('button', { name: 'Send me a code' }).click();
  await p.waitForURL(/\/reset-password\?/);
  await expectText(p, '#code-sent', 'If an account exists for that address, we sent a code to it. It works for 10 minutes.');
}

async function reset(p: Page, code: string, password: string) {
  await p.fill('#code', code);
  await p.fill('#newPassword', password);
  await p.fill('#confirmPassword', password);
  await p.getByRole('button', { name: 'Set new password' }).click();
}

function liveCodes(email: string): number {
  const db = new Database(path.join(server.dataDir, 'app.db'), { readonly: true });
  try {
    return (db.prepare('select count(*) as n from one_time_codes where email = ? and used_at is null').get(email) as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('mail through Resend', () => {
  it('posts the code to Resend with the key, sender, recipient, subject and both bodies', async () => {
    const person = await registered();
    const p = await page();
    await askForCode(p, person.email);
    const [mail] = await mailsTo(person.email, 1);
    expect(mail!.path).toBe('/emails');
    expect(mail!.authorization).toBe(`Bearer ${API_KEY}`);
    expect(mail!.body.from).toBe(FROM);
    expect(mail!.body.to).toEqual([person.email]);
    expect(mail!.body.subject).toBe('Your Gatehouse password reset code');
    const code = mail!.body.text.match(/\b(\d{6})\b/)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(mail!.body.text).toContain(code);
    expect(mail!.body.html).toContain(code);
    // Nothing went to the local outbox.
    expect(fs.existsSync(path.join(server.dataDir, 'outbox'))).toBe(false);

    await reset(p, code!, 'delivered by resend');
    await p.waitForURL('**/account?reset=1');
    const [, notice] = await mailsTo(person.email, 2);
    expect(notice!.body.subject).toBe('Your Gatehouse password was changed');
  });

  it('keeps a failure to itself: same answer, no live code left, the error logged without the code, and an immediate retry sends', async () => {
    const person = await registered();
    const p = await page();
    answer = 500;
    try {
      await askForCode(p, person.email);
      const [failed] = await mailsTo(person.email, 1);
      const code = failed!.body.text.match(/\b(\d{6})\b/)![1]!;
      await expect.poll(() => fs.readFileSync(server.log, 'utf8')).toContain('[mail] sending failed');
      await expect.poll(() => liveCodes(person.email)).toBe(0);
      expect(fs.readFileSync(server.log, 'utf8')).not.toContain(code);

      await reset(p, code, 'never delivered code');
      await expectText(p, '#code-error', 'That code is invalid or has expired. Check it, or send a new code.');
    } finally {
      answer = 200;
    }

    // The failed send didn't count against the once-a-minute limit.
    await askForCode(p, person.email);
    const [, delivered] = await mailsTo(person.email, 2);
    const code = delivered!.body.text.match(/\b(\d{6})\b/)![1]!;
    await reset(p, code, 'delivered on retry');
    await p.waitForURL('**/account?reset=1');
  });
});
