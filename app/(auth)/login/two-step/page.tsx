import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { PasskeySignIn } from '@/components/auth/passkey-sign-in';
import { SecondStepForm } from '@/components/auth/second-step-form';
import { BackToLogin } from '@/components/auth/back-to-login';
import { Card } from '@/components/card';
import { secondStepToken } from '@/lib/auth/browser-session';
import { passkeysAvailable } from '@/lib/auth/passkeys';
import { secondStepPending } from '@/lib/auth/sign-in';
import { loginUrl, safeNext } from '@/lib/routes';

export const metadata: Metadata = { title: 'Two-step verification' };

/** The second step of a sign-in, for the browser whose cookie holds a live challenge. */
export default async function SecondStepPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = typeof params.next === 'string' ? safeNext(params.next) : undefined;
  const token = await secondStepToken();
  if (!token || !(await secondStepPending(token))) redirect(loginUrl(next, 'second-step'));
  return (
    <Card title="Two-step verification" description="One more step: enter the 6-digit code your authenticator app shows for Gatehouse.">
      <SecondStepForm next={next} />
      {(await passkeysAvailable()) && (
        <div className="mt-4">
          <PasskeySignIn next={next} label="Use a passkey instead" autofill={false} />
        </div>
      )}
      <p className="mt-4 text-sm text-slate-600">
        No access to your app? Use one of the recovery codes you saved when you turned on two-step verification.
      </p>
      <BackToLogin />
    </Card>
  );
}
