import type { Metadata } from 'next';
import { ActivityList } from '@/components/account/activity-list';
import { DeleteAccountForm } from '@/components/account/delete-account-form';
import { PasswordForm } from '@/components/account/password-form';
import { SessionList, type SessionRow } from '@/components/account/session-list';
import { ConfirmIdentityForm } from '@/components/account/confirm-identity-form';
import { ConnectedAccounts } from '@/components/account/connected-accounts';
import { SetPasswordForm } from '@/components/account/set-password-form';
import { PasskeySection } from '@/components/account/passkey-section';
import { TwoStepPanel } from '@/components/account/two-step-panel';
import { FormAlert } from '@/components/forms/form-alert';
import { Section } from '@/components/section';
import { twoStepStatus } from '@/lib/account/two-step';
import { passkeysAvailable } from '@/lib/auth/passkeys';
import { canConfirm, isProviderId, providerName, signInMethodLabel, signInProviders } from '@/lib/auth/providers';
import { hasPassword, listIdentities } from '@/lib/db/queries/identities';
import { recentlyAuthenticated, recentlyConfirmed } from '@/lib/auth/step-up';
import { listPasskeys } from '@/lib/db/queries/passkeys';
import { qrCodeSvg } from '@/lib/qr';
import { requireSession } from '@/lib/auth/dal';
import { listSecurityEvents } from '@/lib/db/queries/security-events';
import { listLiveSessions } from '@/lib/db/queries/sessions';
import { formatDateTime } from '@/lib/format';
import { pageQuery } from '@/lib/unavailable';
import { describeUserAgent } from '@/lib/user-agent';

export const metadata: Metadata = { title: 'Security' };

/** What became of connecting a provider or confirming with one (lib/account/identities.ts). */
const PROVIDER_PROBLEMS: Record<string, (name: string) => string> = {
  confirm: () => 'Confirm it’s you first, then connect the account.',
  already: (name) => `That ${name} account is already connected to yours.`,
  taken: (name) => `That ${name} account is connected to another account here. Sign in to that one to disconnect it, or use another ${name} account.`,
  another: (name) => `You already connected a ${name} account. Disconnect it first to connect another.`,
  stale: (name) => `${name} didn’t ask you to sign in again, so it can’t confirm it’s you. Try again, or confirm another way.`,
  'not-connected': (name) => `That ${name} account isn’t connected to yours, so it can’t confirm it’s you.`,
  failed: (name) => `That didn’t work with ${name}. Try again.`,
  unreachable: (name) => `${name} can’t be reached right now. Try again later.`,
  unavailable: (name) => `${name} isn’t available on this site yet: its operator needs to set AUTH_URL.`,
};

function providerNotice(params: Record<string, string | string[] | undefined>): { tone: 'success' | 'error'; text: string } | null {
  const { connected, linked, provider, problem } = params;
  if (isProviderId(connected)) return { tone: 'success', text: `${providerName(connected)} is connected: you can sign in with it.` };
  if (isProviderId(linked)) {
    const name = providerName(linked);
    return { tone: 'success', text: `We connected your ${name} account to this one: both have the same verified email address. You can disconnect it below.` };
  }
  if (isProviderId(provider) && typeof problem === 'string' && Object.hasOwn(PROVIDER_PROBLEMS, problem)) {
    return { tone: 'error', text: PROVIDER_PROBLEMS[problem]!(providerName(provider)) };
  }
  return null;
}

export default async function SecurityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireSession('/account/security');
  const { user, sessionId } = session;
  const params = await searchParams;
  const { recovery } = params;
  const [twoStep, recent, passkeyRows, canUsePasskeys, identities, passwordSet, providers] = await pageQuery(
    '/account/security',
    Promise.all([
      twoStepStatus(user),
      recentlyAuthenticated(session),
      listPasskeys(user.id),
      passkeysAvailable(),
      listIdentities(user.id),
      hasPassword(user.id),
      signInProviders(),
    ]),
  );
  const notice = providerNotice(params);
  // Without a password, an email change or a deletion needs a "Confirm it's you" of its own.
  const confirmed = passwordSet || (await pageQuery('/account/security', recentlyConfirmed(session)));
  const connectedRows = providers.map((p) => {
    const identity = identities.find((i) => i.provider === p.id);
    return {
      id: p.id,
      name: p.name,
      connected: identity ? { email: identity.email, linked: formatDateTime(identity.linkedAt), lastUsed: identity.lastUsedAt && formatDateTime(identity.lastUsedAt) } : null,
    };
  });
  const connectedProviders = providers.filter((p) => identities.some((i) => i.provider === p.id));
  // The key of a setup under way only for a recent authentication: a stale session can't read it.
  const pending = recent && twoStep.pending ? { ...twoStep.pending, qrSvg: await qrCodeSvg(twoStep.pending.uri) } : null;
  const live = await pageQuery('/account/security', listLiveSessions(user.id, new Date()));
  const currentUserAgent = live.find((s) => s.id === sessionId)?.userAgent ?? null;
  const sessions: SessionRow[] = live.map((s) => ({
    id: s.id,
    device: describeUserAgent(s.userAgent),
    ip: s.ip,
    started: formatDateTime(s.createdAt),
    lastSeen: formatDateTime(s.lastSeenAt),
    current: s.id === sessionId,
    remembered: s.remembered,
    method: signInMethodLabel(s.method),
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
      {notice && (
        <FormAlert id="provider-notice" tone={notice.tone}>
          {notice.text}
        </FormAlert>
      )}
      {(!recent || !confirmed) && (
        <Section
          id="confirm"
          title="Confirm it’s you"
          description={recent ? 'Changing your email or deleting your account needs a fresh confirmation.' : 'Changes to how you sign in need a fresh confirmation.'}
        >
          <ConfirmIdentityForm
            username={user.username}
            twoStepOn={twoStep.on}
            passkeys={canUsePasskeys && passkeyRows.length > 0}
            hasPassword={passwordSet}
            providers={connectedProviders.filter((p) => canConfirm(p.id))}
            stale={!recent}
          />
        </Section>
      )}
      <Section id="two-step" title="Two-step verification" description="A code from an authenticator app on your phone, asked for after your password.">
        <TwoStepPanel view={{ ...twoStep, pending }} recent={recent} hasPassword={passwordSet} />
      </Section>
      <Section id="passkeys" title="Passkeys" description="Sign in with your fingerprint, face or screen lock instead of a password. A passkey is a complete sign-in: no code needed.">
        {canUsePasskeys ? (
          <PasskeySection
            passkeys={passkeyRows.map((p) => ({ id: p.id, name: p.name, created: formatDateTime(p.createdAt), lastUsed: p.lastUsedAt && formatDateTime(p.lastUsedAt), synced: p.backedUp === 1 }))}
            recent={recent}
            suggestedName={describeUserAgent(currentUserAgent)}
          />
        ) : (
          <p className="text-sm text-slate-600">Passkeys aren’t available on this site yet: its operator needs to set AUTH_URL.</p>
        )}
      </Section>
      {connectedRows.length > 0 && (
        <Section id="connected-accounts" title="Connected accounts" description="Accounts at other sites you can sign in with.">
          <ConnectedAccounts rows={connectedRows} recent={recent} />
        </Section>
      )}
      {passwordSet ? (
        <Section id="password" title="Change password" description="You stay signed in here; every other session is signed out.">
          <PasswordForm username={user.username} />
        </Section>
      ) : (
        <Section id="password" title="Set a password" description="Sign in with your email or username and a password too.">
          <SetPasswordForm
            email={user.email}
            signsInWith={connectedProviders.length > 0 ? `with ${connectedProviders.map((p) => p.name).join(' or ')}` : 'with a passkey'}
          />
        </Section>
      )}
      <Section id="sessions" title="Where you’re signed in" description="Sign out of any session you don’t recognise.">
        <SessionList sessions={sessions} />
      </Section>
      <Section id="activity" title="Recent security activity" description="Logins, failed attempts and changes to your account, newest first.">
        <ActivityList events={await pageQuery('/account/security', listSecurityEvents(user.id))} />
      </Section>
      <Section id="delete" title="Delete account" tone="danger" description="Deletes your profile, sessions and activity. This cannot be undone.">
        <DeleteAccountForm hasPassword={passwordSet} />
      </Section>
    </div>
  );
}
