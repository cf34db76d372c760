import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/login-form';
import { Card } from '@/components/card';
import { FormAlert } from '@/components/forms/form-alert';
import { getCurrentSession } from '@/lib/auth/dal';
import { passkeysAvailable } from '@/lib/auth/passkeys';
import { isProviderId, providerName, signInProviders } from '@/lib/auth/providers';
import { safeNext, type LoginReason } from '@/lib/routes';

export const metadata: Metadata = { title: 'Log in' };

const REASONS: Record<LoginReason, { tone: 'info' | 'error' | 'success'; text: string }> = {
  expired: { tone: 'info', text: 'Your session expired. Please log in again.' },
  invalid: { tone: 'error', text: 'Your session is invalid. Please log in again.' },
  ended: { tone: 'info', text: 'Your session has ended. Please log in again.' },
  'signed-out': { tone: 'info', text: 'You have been logged out.' },
  verified: { tone: 'success', text: 'Your email address is verified. Log in to continue.' },
  'second-step': { tone: 'info', text: 'That sign-in expired or had too many wrong codes. Log in again.' },
};

/** What became of a sign-in with a provider (lib/auth/provider-sign-in.ts, lib/account/identities.ts). */
const PROVIDER_REASONS: Record<string, (name: string) => string> = {
  // The same whether or not the address has an account here (docs/account.md says why).
  'provider-unlinked': (name) => `We couldn’t sign you in with ${name}. Sign in another way; you can connect ${name} from your account’s security page.`,
  'provider-failed': (name) => `Signing in with ${name} didn’t work. Try again, or sign in another way.`,
  'provider-expired': (name) => `That sign-in with ${name} expired or was started in another browser. Try again.`,
  'provider-limited': () => 'Too many sign-in attempts from your network. Try again later.',
  'provider-unreachable': (name) => `${name} can’t be reached right now. Try again later, or sign in another way.`,
  'provider-unavailable': (name) => `Signing in with ${name} isn’t available on this site yet: its operator needs to set AUTH_URL.`,
};

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function LoginPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const next = typeof params.next === 'string' ? safeNext(params.next) : undefined;
  if (await getCurrentSession()) redirect(next ?? '/account');
  const reason =
    typeof params.reason === 'string' && Object.hasOwn(REASONS, params.reason)
      ? REASONS[params.reason as LoginReason]
      : typeof params.reason === 'string' && Object.hasOwn(PROVIDER_REASONS, params.reason) && isProviderId(params.provider)
        ? { tone: 'error' as const, text: PROVIDER_REASONS[params.reason]!(providerName(params.provider)) }
        : undefined;

  return (
    <Card title="Log in" description="Welcome back. Use your email address or your username.">
      {reason && (
        <div className="mb-4">
          <FormAlert id="login-reason" tone={reason.tone}>
            {reason.text}
          </FormAlert>
        </div>
      )}
      <LoginForm next={next} passkeys={await passkeysAvailable()} providers={await signInProviders()} />
    </Card>
  );
}
