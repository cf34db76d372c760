import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-mail-'));
process.env.MAIL_OUTBOX_DIR = outboxDir;
delete process.env.RESEND_API_KEY;
const { codeMail, passwordChangedMail } = await import('@/lib/mail/templates');
const { sendMail } = await import('@/lib/mail/send');

describe('mail templates', () => {
  it('put the code in the HTML and the plain text, never in the subject (lock screens show it)', async () => {
    const mail = await codeMail('password_reset', '042917', 10);
    expect(mail.subject).toBe('Your Gatehouse password reset code');
    expect(mail.html).toContain('042917');
    expect(mail.html).toMatch(/^<!DOCTYPE html/);
    expect(mail.text).toContain('042917');
    expect(mail.text).toContain('It works once, for 10 minutes.');
    expect(mail.text).not.toContain('<');
  });

  it('link the page only when the site’s public URL is known', async () => {
    expect((await codeMail('email_change', '123456', 10)).html).not.toContain('href=');
    const linked = await codeMail('email_change', '123456', 10, 'https://accounts.example.com/account/profile');
    expect(linked.html).toContain('href="https://accounts.example.com/account/profile"');
    expect(linked.text).toContain('https://accounts.example.com/account/profile');
    expect((await passwordChangedMail('reset', 'https://accounts.example.com/forgot-password')).text).toContain(
      'https://accounts.example.com/forgot-password',
    );
  });
});

describe('sendMail without a Resend key', () => {
  it('writes one JSON file per message, readable only by the server’s user', async () => {
    const mail = await codeMail('password_reset', '555123', 10);
    expect(await sendMail('grace@example.com', mail)).toEqual({ ok: true });
    const files = fs.readdirSync(outboxDir);
    expect(files).toHaveLength(1);
    const file = path.join(outboxDir, files[0]!);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(saved).sort()).toEqual(['from', 'html', 'sentAt', 'subject', 'text', 'to']);
    expect(saved).toMatchObject({ to: 'grace@example.com', subject: mail.subject, text: mail.text, html: mail.html });
    expect(new Date(saved.sentAt).toISOString()).toBe(saved.sentAt);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('reports a failure instead of throwing, and logs neither the address nor the body', async () => {
    const blocked = path.join(outboxDir, 'a-file');
    fs.writeFileSync(blocked, '');
    vi.resetModules(); // env() is read once per module instance
    process.env.MAIL_OUTBOX_DIR = path.join(blocked, 'outbox');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const fresh = await import('@/lib/mail/send');
    const result = await fresh.sendMail('grace@example.com', await codeMail('password_reset', '555999', 10));
    expect(result).toMatchObject({ ok: false });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(String(logged.mock.calls[0])).toMatch(/^\[mail\] sending failed: /);
    expect(String(logged.mock.calls[0])).not.toMatch(/555999|grace@example\.com/);
    logged.mockRestore();
  });
});
