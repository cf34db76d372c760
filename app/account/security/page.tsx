import type { Metadata } from 'next';
import { ActivityList } from '@/components/account/activity-list';
import { DeleteAccountForm } from '@/components/account/delete-account-form';
import { PasswordForm } from '@/components/account/password-form';
import { SessionList, type SessionRow } from '@/components/account/session-list';
import { TwoStepPanel } from '@/components/account/two-step-panel';
import { FormAlert } from '@/components/forms/form-alert';
import { Section } from '@/components/section';
import { twoStepStatus } from '@/lib/account/two-step';
import { recentlyAuthenticated } from '@/lib/auth/step-up';
import { qrCodeSvg } from '@/lib/qr';
import { requireSession } from '@/lib/auth/dal';
import { listSecurityEvents } from '@/lib/db/queries/security-events';
import { listLiveSessions } from '@/lib/db/queries/sessions';
import { formatDateTime } from '@/lib/format';
import { pageQuery } from '@/lib/unavailable';
import { describeUserAgent } from '@/lib/user-agent';

export const metadata: Metadata = { title: 'Security' };

export default async function SecurityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireSession('/account/security');
  const { user, sessionId } = session;
  const { recovery } = await searchParams;
  const [twoStep, recent] = await pageQuery('/account/security', Promise.all([twoStepStatus(user), recentlyAuthenticated(session)]));
  const pending = twoStep.pending && { ...twoStep.pending, qrSvg: await qrCodeSvg(twoStep.pending.uri) };
  const sessions: SessionRow[] = (await pageQuery('/account/security', listLiveSessions(user.id, new Date()))).map((s) => ({
    id: s.id,
    device: describeUserAgent(s.userAgent),
    ip: s.ip,
    started: formatDateTime(s.createdAt),
    lastSeen: formatDateTime(s.lastSeenAt),
    current: s.id === sessionId,
    remembered: s.remembered,
  }));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Security</h1>
      {typeof recovery === 'string' && /^\d{1,2}$/.test(recovery) && (
        <FormAlert id="recovery-used" tone="info">
          You signed in with a recovery code. It can’t be used again: {recovery === '1' ? '1 recovery code is' : `${recovery} recovery codes are`} left.
          If you lost your authenticator app, turn two-step verification off and on again with your new phone, or make new recovery codes.
        </FormAlert>
      )}
      <Section id="two-step" title="Two-step verification" description="A code from an authenticator app on your phone, asked for after your password.">
        <TwoStepPanel view={{ ...twoStep, pending }} recent={recent} username={user.username} />
      </Section>
      <Section id="password" title="Change password" description="You stay signed in here; every other session is signed out.">
        <PasswordForm username={user.username} />
      </Section>
      <Section id="sessions" title="Where you’re signed in" description="Sign out of any session you don’t recognise.">
        <SessionList sessions={sessions} />
      </Section>
      <Section id="activity" title="Recent security activity" description="Logins, failed attempts and changes to your account, newest first.">
        <ActivityList events={await pageQuery('/account/security', listSecurityEvents(user.id))} />
      </Section>
      <Section id="delete" title="Delete account" tone="danger" description="Deletes your profile, sessions and activity. This cannot be undone.">
        <DeleteAccountForm />
      </Section>
    </div>
  );
}
