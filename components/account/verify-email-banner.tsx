'use client';

import { useActionState } from 'react';
import { resendOwnVerification, verifyOwnEmail } from '@/app/account/actions';
import { CodeField } from '@/components/forms/code-field';
import { FormStatus } from '@/components/forms/form-alert';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';
import { useLatestAnswer } from '@/components/forms/use-latest-answer';
import { idle } from '@/lib/forms';

/** `optional` mode: the account works, and asks until its address is verified. */
export function VerifyEmailBanner({ email }: { email: string }) {
  const { state, formAction, ref, errors } = useForm(verifyOwnEmail);
  const [resent, resend] = useActionState(resendOwnVerification, idle);
  const latest = useLatestAnswer(state, resent);
  return (
    <section aria-labelledby="verify-heading" id="verify-email" className="rounded-2xl border border-amber-200 bg-amber-50 p-6 sm:p-8">
      <h2 id="verify-heading" className="text-lg font-semibold text-amber-950">
        Verify your email address
      </h2>
      <p className="mt-1 text-sm text-amber-900">
        Enter the 6-digit code we emailed to <strong className="wrap-anywhere">{email}</strong>, or send a new one. Features that rely on
        your address wait until it is verified.
      </p>
      <div className="mt-4 space-y-4">
        <FormStatus id="verify-status" state={latest} />
        <form ref={ref} action={formAction} noValidate className="space-y-3">
          <div className="max-w-xs">
            <CodeField id="verify-code" error={errors.code} />
          </div>
          <SubmitButton pendingLabel="Verifying…">Verify</SubmitButton>
        </form>
        <form action={resend}>
          <SubmitButton variant="subtle" pendingLabel="Sending…">
            Send a new code
          </SubmitButton>
        </form>
      </div>
    </section>
  );
}
