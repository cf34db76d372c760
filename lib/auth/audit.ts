import 'server-only';
import { headers } from 'next/headers';
import type { SecurityEventType } from '@/lib/db/schema';
import { insertSecurityEvent } from '@/lib/db/queries/security-events';
import { clientIp, userAgent } from '@/lib/request';

/** Records a security event for the person's activity list, with the request's IP and browser. */
export async function recordSecurityEvent(userId: number, type: SecurityEventType, now = new Date()): Promise<void> {
  const requestHeaders = await headers();
  insertSecurityEvent({ userId, type, ip: clientIp(requestHeaders), userAgent: userAgent(requestHeaders), createdAt: now });
}
