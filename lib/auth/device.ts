import 'server-only';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { requestCookie } from '@/lib/request-scope';
import { DEVICE_COOKIE_MAX_AGE_SECONDS, deviceCookieName, setDeviceCookie, type CookieJar } from './cookies';
import { purposeKey, purposeKeys } from './keys-node';

// Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
// completed a login for an account carries a signed entry for that account for 30 days. Failed
// logins from unknown browsers lock out unknown browsers only; a known browser has a budget of its
// own, so a stranger's guessing can't lock the owner out of their own browser. One cookie holds
// entries for the last few accounts used in this browser.

const MAX_ENTRIES = 5;
const ENTRY = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{22})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/;

type Entry = { userId: number; deviceId: string; expires: number };

const payload = (e: Entry) => `${e.userId}.${e.deviceId}.${e.expires}`;
const sign = (key: Buffer, e: Entry) => createHmac('sha256', key).update(`device/v1|${payload(e)}`).digest('base64url');

function parse(value: string | undefined, nowSeconds: number): Entry[] {
  const entries: Entry[] = [];
  for (const raw of (value ?? '').split('~').slice(0, MAX_ENTRIES)) {
    const match = ENTRY.exec(raw);
    if (!match) continue;
    const entry = { userId: Number(match[1]), deviceId: match[2]!, expires: Number(match[3]) };
    const given = Buffer.from(match[4]!);
    const signed = purposeKeys('device-cookie').some((key) => {
      const expected = Buffer.from(sign(key, entry));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (signed && entry.expires > nowSeconds) entries.push(entry);
  }
  return entries;
}

/** This browser's device id for the account, when it logged in to it within the last 30 days. */
export function knownDevice(cookie: string | undefined, userId: number, now = Date.now()): string | null {
  return parse(cookie, Math.floor(now / 1000)).find((e) => e.userId === userId)?.deviceId ?? null;
}

/** The device cookie sent with this request, if any. */
export async function currentDeviceCookie(): Promise<string | undefined> {
  return requestCookie(deviceCookieName());
}

/** After a login: this browser is (still) known for the account for another 30 days. */
export function rememberDevice(jar: CookieJar, cookie: string | undefined, userId: number, now = Date.now()): void {
  const nowSeconds = Math.floor(now / 1000);
  const entries = parse(cookie, nowSeconds);
  const deviceId = entries.find((e) => e.userId === userId)?.deviceId ?? randomBytes(16).toString('base64url');
  const fresh: Entry = { userId, deviceId, expires: nowSeconds + DEVICE_COOKIE_MAX_AGE_SECONDS };
  const kept = [fresh, ...entries.filter((e) => e.userId !== userId)].slice(0, MAX_ENTRIES);
  const key = purposeKey('device-cookie');
  setDeviceCookie(jar, kept.map((e) => `${payload(e)}.${sign(key, e)}`).join('~'));
}
