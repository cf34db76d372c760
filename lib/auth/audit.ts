import 'server-only';
import type { SecurityEventType } from '@/lib/db/schema-sqlite';
import { insertSecurityEvent } from '@/lib/db/queries/security-events';
import { currentClient } from '@/lib/security/client-ip';

/** Records a security event for the person's activity list, with the request's IP and browser. */
export async function recordSecurityEvent(userId: number, type: SecurityEventType, now = new Date()): Promise<void> {
  const { ip, userAgent } = await currentClient();
  await insertSecurityEvent({ userId, type, ip, userAgent, createdAt: now });
}
