import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { revokeSessionsExcept, revokeUserSession } from '@/lib/db/queries/sessions';

/** Signs the person out of one of their own sessions; another person's id changes nothing. */
export async function signOutSession(userId: number, sessionId: string): Promise<boolean> {
  const revoked = await revokeUserSession(userId, sessionId, new Date());
  if (revoked) await recordSecurityEvent(userId, 'session_revoked');
  return revoked;
}

export async function signOutOtherSessions(userId: number, currentSessionId: string): Promise<number> {
  const count = await revokeSessionsExcept(userId, currentSessionId, new Date());
  if (count > 0) await recordSecurityEvent(userId, 'other_sessions_revoked');
  return count;
}
