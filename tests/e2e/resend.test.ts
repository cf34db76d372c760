// The real mail path: a second production server whose Resend SDK talks to a fake Resend API on
// 127.0.0.1 (the SDK reads RESEND_BASE_URL), so we see exactly what would leave for Resend.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForgotPasswordPage } from './pages/forgot-password';
import { ResetPasswordPage } from './pages/reset-password';
import { visitorPage, workerBrowser } from './support/browser';
import { withServerDb } from './support/db';
import { startServer, type Server } from './support/server';
import { registered } from './support/sessions';

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
  // Accounts without verification: every mail this file counts is one it asked for.
  server = await startServer({ RESEND_API_KEY: API_KEY, RESEND_BASE_URL: `http://127.0.0.1:${port}`, MAIL_FROM: FROM, EMAIL_VERIFICATION: 'off' });
  browser = await workerBrowser();
});

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => fake?.close(resolve));
});

/** A visitor of the Resend-backed server, on the reset flow's pages. */
async function visitor() {
  const page = await visitorPage(browser, { baseURL: server.baseUrl });
  return { forgot: new ForgotPasswordPage(page), reset: new ResetPasswordPage(page) };
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

const NEUTRAL = 'If an account exists for that address, we sent a code to it. It works for 10 minutes.';

function liveCodes(email: string): number {
  return withServerDb(
    (db) => (db.prepare('select count(*) as n from one_time_codes where email = ? and used_at is null').get(email) as { n: number }).n,
    server.dataDir,
  );
}

describe('mail through Resend', () => {
  it('posts the code to Resend with the key, sender, recipient, subject and both bodies', async () => {
    const person = await registered(server.baseUrl, server.dataDir);
    const { forgot, reset } = await visitor();
    await forgot.requestCode(person.email);
    await reset.expectCodeSent(NEUTRAL);
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

    await reset.reset(code!, 'delivered by resend');
    const [, notice] = await mailsTo(person.email, 2);
    expect(notice!.body.subject).toBe('Your Gatehouse password was changed');
  });

  it('keeps a failure to itself: same answer, no live code left, the error logged without the code, and an immediate retry sends', async () => {
    const person = await registered(server.baseUrl, server.dataDir);
    const { forgot, reset } = await visitor();
    answer = 500;
    try {
      await forgot.requestCode(person.email);
      await reset.expectCodeSent(NEUTRAL);
      const [failed] = await mailsTo(person.email, 1);
      const code = failed!.body.text.match(/\b(\d{6})\b/)![1]!;
      await expect.poll(() => fs.readFileSync(server.log, 'utf8')).toContain('[mail] sending failed');
      await expect.poll(() => liveCodes(person.email)).toBe(0);
      expect(fs.readFileSync(server.log, 'utf8')).not.toContain(code);

      await reset.submit(code, 'never delivered code');
      await reset.expectCodeError('That code is invalid or has expired. Check it, or send a new code.');
    } finally {
      answer = 200;
    }

    // The failed send didn't count against the once-a-minute limit.
    await forgot.requestCode(person.email);
    await reset.expectCodeSent(NEUTRAL);
    const [, delivered] = await mailsTo(person.email, 2);
    const code = delivered!.body.text.match(/\b(\d{6})\b/)![1]!;
    await reset.reset(code, 'delivered on retry');
  });
});
