import 'server-only';
import type { SecurityEventType } from '@/lib/db/schema-sqlite';
import { insertSecurityEvent } from '@/lib/db/queries/security-events';
import { currentClient } from '@/lib/security/client-ip';

/**
 * Records a security event for the person's activity list, with the request's IP and browser.
 * `detail`: what else it names (a login's method, a connected account's provider).
 */
export async function recordSecurityEvent(userId: number, type: SecurityEventType, now = new Date(), detail: string | null = null): Promise<void> {
  const { ip, userAgent } = await currentClient();
  await insertSecurityEvent({ userId, type, ip, userAgent, detail, createdAt: now });
}
