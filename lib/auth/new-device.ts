import 'server-only';
import type { PublicUser } from '@/lib/db/queries/users';
import { publicUrl } from '@/lib/env';
import { formatDateTime } from '@/lib/format';
import { sendMail } from '@/lib/mail/send';
import { newDeviceMail } from '@/lib/mail/templates';
import { afterResponse } from '@/lib/request-scope';
import { currentClient } from '@/lib/security/client-ip';
import { describeUserAgent } from '@/lib/user-agent';

/**
 * Mails the person about a sign-in from a browser with no device cookie for their account (one
 * that never signed in to it, or not in the last 30 days): when, from which IP, which browser,
 * and what to do if it wasn't them. Sent after the answer.
 */
export async function noticeNewDevice(user: Pick<PublicUser, 'email'>, now = new Date()): Promise<void> {
  const client = await currentClient();
  const details = { when: formatDateTime(now), ip: client.ip, browser: describeUserAgent(client.userAgent) };
  afterResponse(async () => {
    await sendMail(user.email, await newDeviceMail(details, publicUrl('/account/security'), publicUrl('/forgot-password')));
  });
}
