import 'server-only';
import { desc, eq } from 'drizzle-orm';
import { getDb } from '../client';
import { securityEvents, type SecurityEventType } from '../schema';

export type SecurityEvent = { id: number; type: SecurityEventType; ip: string | null; userAgent: string | null; createdAt: Date };

export function insertSecurityEvent(values: {
  userId: number;
  type: SecurityEventType;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
}): void {
  getDb().insert(securityEvents).values(values).run();
}

export function listSecurityEvents(userId: number, limit = 30): SecurityEvent[] {
  return getDb()
    .select({
      id: securityEvents.id,
      type: securityEvents.type,
      ip: securityEvents.ip,
      userAgent: securityEvents.userAgent,
      createdAt: securityEvents.createdAt,
    })
    .from(securityEvents)
    .where(eq(securityEvents.userId, userId))
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(limit)
    .all();
}
