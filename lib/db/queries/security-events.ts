import 'server-only';
import { desc, eq } from 'drizzle-orm';
import { getDb, getTables } from '../client';
import type { SecurityEventType } from '../schema-sqlite';

export type SecurityEvent = { id: number; type: SecurityEventType; ip: string | null; userAgent: string | null; detail: string | null; createdAt: Date };

export async function insertSecurityEvent(values: {
  userId: number;
  type: SecurityEventType;
  ip: string | null;
  userAgent: string | null;
  detail: string | null;
  createdAt: Date;
}): Promise<void> {
  const { securityEvents } = getTables();
  await getDb().insert(securityEvents).values(values);
}

export async function listSecurityEvents(userId: number, limit = 30): Promise<SecurityEvent[]> {
  const { securityEvents } = getTables();
  return getDb()
    .select({
      id: securityEvents.id,
      type: securityEvents.type,
      ip: securityEvents.ip,
      userAgent: securityEvents.userAgent,
      detail: securityEvents.detail,
      createdAt: securityEvents.createdAt,
    })
    .from(securityEvents)
    .where(eq(securityEvents.userId, userId))
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(limit);
}
