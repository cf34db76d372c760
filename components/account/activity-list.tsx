import type { SecurityEvent } from '@/lib/db/queries/security-events';
import type { SecurityEventType } from '@/lib/db/schema-sqlite';
import { isProviderId, providerName, signInMethodLabel } from '@/lib/auth/providers';
import { formatDateTime } from '@/lib/format';
import { describeUserAgent } from '@/lib/user-agent';

const LABELS: Record<SecurityEventType, string> = {
  account_created: 'Account created',
  login: 'Logged in',
  login_failed: 'Failed login attempt',
  logout: 'Logged out',
  profile_updated: 'Profile updated',
  username_changed: 'Username changed',
  email_changed: 'Email changed',
  password_changed: 'Password changed',
  session_revoked: 'A session was signed out',
  other_sessions_revoked: 'Other sessions signed out',
  password_reset: 'Password reset with an emailed code',
  email_change_requested: 'Email change requested (code sent to the new address)',
  email_verified: 'Email address verified',
  two_step_enabled: 'Two-step verification turned on',
  two_step_disabled: 'Two-step verification turned off',
  two_step_reset_by_operator: 'Two-step verification, passkeys and connected accounts removed by the site’s operator',
  recovery_codes_regenerated: 'New recovery codes made',
  recovery_code_used: 'A recovery code was used',
  second_step_failed: 'Wrong two-step verification code',
  reauthenticated: 'Confirmed it’s you',
  passkey_added: 'Passkey added',
  passkey_removed: 'Passkey removed',
  passkey_counter_refused: 'A passkey sign-in was refused: the passkey may have been copied',
  identity_linked: 'Connected account added',
  identity_unlinked: 'Connected account removed',
};

/** The entry's words, with what its detail names: "Logged in with GitHub", "GitHub connected". */
function describe(event: SecurityEvent): string {
  if (isProviderId(event.detail) && event.type === 'identity_linked') return `${providerName(event.detail)} connected`;
  if (isProviderId(event.detail) && event.type === 'identity_unlinked') return `${providerName(event.detail)} disconnected`;
  const how = ['login', 'reauthenticated', 'account_created'].includes(event.type) ? signInMethodLabel(event.detail) : null;
  return how ? `${LABELS[event.type]} ${how}` : LABELS[event.type];
}

export function ActivityList({ events }: { events: SecurityEvent[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-600">No activity yet.</p>;
  return (
    <ol className="divide-y divide-slate-100" aria-label="Recent security activity">
      {events.map((event) => (
        <li key={event.id} className="py-2 text-sm" data-event={event.type}>
          <p className={['login_failed', 'second_step_failed', 'passkey_counter_refused'].includes(event.type) ? 'font-medium text-red-700' : 'font-medium text-slate-900'}>{describe(event)}</p>
          <p className="text-slate-600">
            {formatDateTime(event.createdAt)} · {event.ip ?? 'IP unknown'} · {describeUserAgent(event.userAgent)}
          </p>
        </li>
      ))}
    </ol>
  );
}
