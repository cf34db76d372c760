'use client';

import { useState } from 'react';
import { resendVerification, startOver, verifyEmail } from '@/app/(auth)/verification-actions';
import { CodeField } from '@/components/forms/code-field';
import { EmailField } from '@/components/forms/email-field';
import { FormStatus } from '@/components/forms/form-alert';
import { ResendCode } from '@/components/forms/resend-code';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

/**
 * The code from the mail, "Send a new code" with its countdown (as on the reset page), and
 * "Start over" for a mistyped address. `email`: the address the page was opened for; without it
 * the person types it.
 */
export function VerifyEmailForm({ email }: { email?: string }) {
  const { state, formAction, ref, errors } = useForm(verifyEmail);
  const [emailValue, setEmailValue] = useState(state.values?.email ?? email ?? '');

  return (
    <div className="space-y-6">
      <form ref={ref} action={formAction} noValidate className="space-y-4">
        <FormStatus id="form-error" state={state} />
        {email ? (
          <input type="hidden" name="email" value={emailValue} />
        ) : (
          <EmailField value={emailValue} onChange={(e) => setEmailValue(e.target.value)} error={errors.email} />
        )}
        <CodeField defaultValue={state.values?.code} error={errors.code ?? (email ? errors.email : undefined)} />
        <SubmitButton pendingLabel="Verifying…" className="w-full">
          Verify and continue
        </SubmitButton>
      </form>

      <ResendCode action={resendVerification} email={emailValue} justSent={email !== undefined} />

      <form action={startOver} className="text-sm text-slate-600">
        Wrong address?{' '}
        <button type="submit" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
          Start over
        </button>{' '}
        with the right one.
      </form>
    </div>
  );
}
