'use client';

import { useActionState, useEffect, useState } from 'react';
import { resendResetCode, resetPasswordWithCode } from '@/app/(auth)/recovery-actions';
import { Field } from '@/components/forms/field';
import { FormStatus } from '@/components/forms/form-alert';
import { NewPasswordFields } from '@/components/forms/new-password-fields';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';
import { idle } from '@/lib/forms';
import { CODE_RESEND_SECONDS } from '@/lib/validation/auth';

export function ResetPasswordForm({ email, justSent }: { email?: string; justSent: boolean }) {
  const { state, formAction, ref, errors } = useForm(resetPasswordWithCode);
  const [resent, resend] = useActionState(resendResetCode, idle);
  const [emailValue, setEmailValue] = useState(state.values?.email ?? email ?? '');

  // The countdown restarts whenever a code was (or may have been) sent. It starts only once the
  // page runs scripts: without JavaScript the button is always there and the server's limit rules.
  const [wait, setWait] = useState(0);
  useEffect(() => {
    if (justSent) setWait(CODE_RESEND_SECONDS);
  }, [justSent]);
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
        <Field
          name="code"
          label="Code from the email"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]*"
          maxLength={6}
          required
          defaultValue={state.values?.code}
          error={errors.code}
        />
        <NewPasswordFields name="newPassword" label="New password" errors={errors} />
        <SubmitButton pendingLabel="Setting your password…" className="w-full">
          Set new password
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
    </div>
  );
}
