import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/login-form';
import { Card } from '@/components/card';
import { FormAlert } from '@/components/forms/form-alert';
import { getCurrentSession } from '@/lib/auth/dal';
import { passkeysAvailable } from '@/lib/auth/passkeys';
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

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function LoginPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const next = typeof params.next === 'string' ? safeNext(params.next) : undefined;
  if (await getCurrentSession()) redirect(next ?? '/account');
  const reason =
    typeof params.reason === 'string' && Object.hasOwn(REASONS, params.reason) ? REASONS[params.reason as LoginReason] : undefined;

  return (
    <Card title="Log in" description="Welcome back. Use your email address or your username.">
      {reason && (
        <div className="mb-4">
          <FormAlert id="login-reason" tone={reason.tone}>
            {reason.text}
          </FormAlert>
        </div>
      )}
      <LoginForm next={next} passkeys={await passkeysAvailable()} />
    </Card>
  );
}
