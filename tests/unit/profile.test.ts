import fs from 'node:fs';
import os from 'node:os';
import { asc, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDatabase, useTestDatabase } from '../support/database';

// The use-cases record security events with the request's IP and browser.
vi.mock('next/headers', () => ({
  headers: async () => new Headers({ 'user-agent': 'vitest', 'x-forwarded-for': '203.0.113.7' }),
  // No device cookie: every password check counts against the account's unknown-browser budget.
  cookies: async () => ({ get: () => undefined }),
}));

// Work scheduled with `after()` (mail) runs here at once; tests await it through `afterWork`.
const afterWork: Promise<unknown>[] = [];
vi.mock('next/server', () => ({ after: (task: () => Promise<unknown>) => afterWork.push(Promise.resolve().then(task)) }));

await useTestDatabase({ MAIL_OUTBOX_DIR: fs.mkdtempSync(`${os.tmpdir()}/gatehouse-outbox-`), BCRYPT_COST: '10' });
const { getDb, getTables } = await import('@/lib/db/client');
const { sessions, securityEvents } = getTables();
const { insertUser, findUserById } = await import('@/lib/db/queries/users');
const { hashPassword } = await import('@/lib/auth/password');
const { updateProfile } = await import('@/lib/account/profile');
const { changePassword } = await import('@/lib/account/password');
const { startSession, getLiveSessionUser } = await import('@/lib/auth/session');
const { partialProfileSchema, profileSchema } = await import('@/lib/validation/profile');

const PASSWORD = 'analytical engine notes';
let passwordHash: string;

beforeEach(async () => {
  await emptyDatabase();
  passwordHash ??= await hashPassword(PASSWORD);
});

const person = (username: string) =>
  insertUser({ username, email: `${username.toLowerCase()}@example.com`, firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-04-07', passwordHash });

const outbox = () =>
  fs.readdirSync(process.env.MAIL_OUTBOX_DIR!).map((f) => JSON.parse(fs.readFileSync(`${process.env.MAIL_OUTBOX_DIR}/${f}`, 'utf8')) as { to: string; subject: string; text: string });

/** A person's security events, in the order they were recorded. */
const recordedEvents = (userId: number) => getDb().select().from(securityEvents).where(eq(securityEvents.userId, userId)).orderBy(asc(securityEvents.id));

const events = async (userId: number) => (await recordedEvents(userId)).map((e) => e.type);

describe('the partial-update schema', () => {
  it('treats blank fields as "keep"', () => {
    expect(partialProfileSchema.parse({ username: '', email: '  ', firstName: 'Grace', lastName: '', dateOfBirth: '' })).toEqual({
      firstName: 'Grace',
    });
  });

  it('still validates what is filled in', () => {
    expect(partialProfileSchema.safeParse({ username: '1x' }).success).toBe(false);
  });

  it('while the full schema needs everything', () => {
    expect(profileSchema.safeParse({ firstName: 'Grace' }).success).toBe(false);
  });
});

describe('updateProfile', () => {
  it('changes only fields whose value differs, and reports them', async () => {
    const ada = await person('Ada');
    const result = await updateProfile(ada, { firstName: 'Augusta', lastName: 'Lovelace' });
    expect(result).toMatchObject({ ok: true, changed: ['firstName'] });
    expect(await findUserById(ada.id)).toMatchObject({ firstName: 'Augusta', lastName: 'Lovelace', username: 'Ada' });
    expect(await events(ada.id)).toEqual(['profile_updated']);
  });

  it('is all or nothing when a unique field is taken', async () => {
    await person('Grace');
    const ada = await person('Ada');
    const result = await updateProfile(ada, { firstName: 'Changed', username: 'GRACE' });
    expect(result).toMatchObject({ ok: false, kind: 'taken', field: 'username', fields: { username: 'That username is already taken.' } });
    expect(await findUserById(ada.id)).toMatchObject({ firstName: 'Ada', username: 'Ada' });
  });

  it('needs the right current password for an email change', async () => {
    const ada = await person('Ada');
    expect(await updateProfile(ada, { email: 'new@example.com' })).toMatchObject({ ok: false, fields: { currentPassword: expect.any(String) } });
    expect(await updateProfile(ada, { email: 'new@example.com' }, { currentPassword: 'wrong' })).toMatchObject({ ok: false });
    expect((await findUserById(ada.id))?.email).toBe('ada@example.com');
    // The right password sends a code to the new address; the email itself waits for it.
    expect(await updateProfile(ada, { email: 'new@example.com' }, { currentPassword: PASSWORD })).toMatchObject({
      ok: true,
      changed: [],
      emailPending: 'new@example.com',
    });
    expect((await findUserById(ada.id))?.email).toBe('ada@example.com');
    expect(await events(ada.id)).toEqual(['email_change_requested']);
  });

  it('changes nothing, and mails nothing, when an email change comes with a taken username', async () => {
    const ada = await person('Ada');
    await person('Grace');
    const before = outbox().length;
    expect(await updateProfile(ada, { email: 'new@example.com', username: 'GRACE', lastName: 'Byron' }, { currentPassword: PASSWORD })).toMatchObject({
      ok: false,
      kind: 'taken',
      field: 'username',
      fields: { username: 'That username is already taken.' },
    });
    expect(await findUserById(ada.id)).toMatchObject({ username: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });
    expect(outbox().length).toBe(before);
  });

  it('changes nothing when the code for a new email is not sent', async () => {
    const ada = await person('Ada');
    await updateProfile(ada, { email: 'first@example.com' }, { currentPassword: PASSWORD });
    // Asked again at once: the send limit refuses, as a failed send would.
    const result = await updateProfile(ada, { email: 'second@example.com', username: 'Augusta' }, { currentPassword: PASSWORD });
    expect(result).toMatchObject({ ok: false, fields: { email: expect.stringMatching(/^A code was sent a moment ago\. You can ask for another in \d+ seconds\.$/) } });
    expect(await findUserById(ada.id)).toMatchObject({ username: 'Ada', email: 'ada@example.com' });
  });

  it('refuses a full replace based on a stale read', async () => {
    const ada = await person('Ada');
    const staleRead = ada.updatedAt;
    await new Promise((r) => setTimeout(r, 5));
    await updateProfile(ada, { username: 'Augusta' });
    const result = await updateProfile(ada, { firstName: 'Stale', username: 'Ada' }, { expectedUpdatedAt: staleRead });
    expect(result).toMatchObject({ ok: false, kind: 'conflict' });
    expect(await findUserById(ada.id)).toMatchObject({ username: 'Augusta', firstName: 'Ada' });
  });

  it('lets a person change only the case of their own username', async () => {
    const ada = await person('ada');
    expect(await updateProfile(ada, { username: 'Ada' })).toMatchObject({ ok: true, changed: ['username'] });
  });
});

describe('changePassword', () => {
  it('checks the current password and the new one, then revokes every other session', async () => {
    const ada = await person('Ada');
    const here = (await startSession({ userId: ada.id, remember: false, method: 'password', userAgent: null, ip: null }))!;
    const there = (await startSession({ userId: ada.id, remember: true, method: 'password', userAgent: null, ip: null }))!;

    expect(await changePassword(ada, here.sessionId, { currentPassword: 'wrong', newPassword: 'a new passphrase' })).toMatchObject({
      ok: false,
      fields: { currentPassword: 'That is not your current password.' },
    });
    expect(await changePassword(ada, here.sessionId, { currentPassword: PASSWORD, newPassword: 'ADA' })).toMatchObject({ ok: false });
    expect(await changePassword(ada, here.sessionId, { currentPassword: PASSWORD, newPassword: 'password1' })).toMatchObject({ ok: false });
    expect(await getLiveSessionUser(there.sessionId, ada.id)).not.toBeNull();

    const changed = await changePassword(ada, here.sessionId, { currentPassword: PASSWORD, newPassword: 'a new passphrase' });
    expect(changed).toMatchObject({ ok: true, revoked: 1, session: { sessionId: expect.any(String) } });
    // This session goes on under a new id: a copy of it taken before the change is worth nothing.
    const moved = changed.ok ? changed.session.sessionId : '';
    expect(await getLiveSessionUser(moved, ada.id)).not.toBeNull();
    expect(await getLiveSessionUser(here.sessionId, ada.id)).toBeNull();
    expect(await getLiveSessionUser(there.sessionId, ada.id)).toBeNull();
    const [other] = await getDb().select().from(sessions).where(eq(sessions.id, there.sessionId));
    expect(other?.refreshHash).toBeNull();
    const recorded = await recordedEvents(ada.id);
    expect(recorded.map((e) => e.type)).toEqual(['password_changed']);
    expect(recorded[0]).toMatchObject({ ip: '203.0.113.7', userAgent: 'vitest' });

    // Only the successful change is announced, to the account's own address.
    await Promise.all(afterWork);
    const notices = outbox().filter((m) => m.to === ada.email);
    expect(notices.map((m) => m.subject)).toEqual(['Your Gatehouse password was changed']);
    expect(notices[0]!.text).toContain('just changed by someone signed in to it');
  });

  it('counts wrong current passwords like failed logins: after five, even the right one waits', async () => {
    const ada = await person('Ada');
    const here = (await startSession({ userId: ada.id, remember: false, method: 'password', userAgent: null, ip: null }))!;
    for (let i = 0; i < 5; i += 1) {
      expect(await changePassword(ada, here.sessionId, { currentPassword: `wrong ${i}`, newPassword: 'a new passphrase' })).toMatchObject({ ok: false });
    }
    const locked = await changePassword(ada, here.sessionId, { currentPassword: PASSWORD, newPassword: 'a new passphrase' });
    expect(locked).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number) });
    expect(locked.ok === false && locked.fields?.currentPassword).toMatch(/^Too many attempts\. Try again in \d+ minutes\.$/);
  });
});
