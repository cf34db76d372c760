'use client';

import { useActionState, useEffect, useState } from 'react';
import { resendVerification, startOver, verifyEmail } from '@/app/(auth)/verification-actions';
import { Field } from '@/components/forms/field';
import { FormStatus } from '@/components/forms/form-alert';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';
import { idle } from '@/lib/forms';
import { CODE_RESEND_SECONDS } from '@/lib/validation/auth';

/**
 * The code from the mail, "Send a new code" with its countdown (as on the reset page), and
 * "Start over" for a mistyped address. `email`: the address the page was opened for; without it
 * the person types it.
 */
export function VerifyEmailForm({ email }: { email?: string }) {
  const { state, formAction, ref, errors } = useForm(verifyEmail);
  const [resent, resend] = useActionState(resendVerification, idle);
  const [emailValue, setEmailValue] = useState(state.values?.email ?? email ?? '');

  // A code was just sent when the page opened for an address; the countdown starts once scripts
  // run. Without JavaScript the button is always there and the server's limit rules.
  const [wait, setWait] = useState(0);
  useEffect(() => {
    if (email) setWait(CODE_RESEND_SECONDS);
  }, [email]);
  useEffect(() => {
    if (resent.status === 'success') setWait(CODE_RESEND_SECONDS);
  }, [resent]);
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  return (
    <div className="space-y-6">
      <form ref={ref} action={formAction} noValidate className="space-y-4">
        <FormStatus id="form-error" state={state} />
        {email ? (
          <input type="hidden" name="email" value={emailValue} />
        ) : (
          <Field
            name="email"
            label="Email"
            type="email"
            autoComplete="email"
            required
            value={emailValue}
            onChange={(e) => setEmailValue(e.target.value)}
            error={errors.email}
          />
        )}
        <Field
          name="code"
          label="Code from the email"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]*"
          maxLength={6}
          required
          defaultValue={state.values?.code}
          error={errors.code ?? (email ? errors.email : undefined)}
        />
        <SubmitButton pendingLabel="Verifying…" className="w-full">
          Verify and continue
        </SubmitButton>
      </form>

      <form action={resend} className="space-y-2 border-t border-slate-100 pt-4 text-sm">
        <input type="hidden" name="email" value={emailValue} />
        <FormStatus id="resend-status" state={resent} />
        <p className="text-slate-600">
          No code, or it expired?{' '}
          {wait > 0 ? (
            <span id="resend-wait">You can ask for a new one in {wait} s.</span>
          ) : (
            <button type="submit" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
              Send a new code
            </button>
          )}
        </p>
      </form>

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
