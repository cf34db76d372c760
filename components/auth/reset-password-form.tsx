'use client';

import { useActionState, useEffect, useRef, useState } from 'react';
import { resendResetCode, resetPasswordWithCode } from '@/app/(auth)/recovery-actions';
import { Field } from '@/components/forms/field';
import { FormAlert } from '@/components/forms/form-alert';
import { PasswordInput } from '@/components/forms/password-input';
import { SubmitButton } from '@/components/forms/submit-button';
import { useFocusFirstError } from '@/components/forms/use-focus-first-error';
import { idle } from '@/lib/forms';
import { PASSWORD_MAX, PASSWORD_MIN } from '@/lib/validation/fields';

/** Seconds to wait before another code may be asked for (the server enforces the same). */
const COOLDOWN_SECONDS = 60;

export function ResetPasswordForm({ email, justSent }: { email?: string; justSent: boolean }) {
  const [state, action] = useActionState(resetPasswordWithCode, idle);
  const [resent, resend] = useActionState(resendResetCode, idle);
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstError(form, [state]);
  const errors = state.fieldErrors ?? {};
  const [emailValue, setEmailValue] = useState(state.values?.email ?? email ?? '');

  // The countdown restarts whenever a code was (or may have been) sent. It starts only once the
  // page runs scripts: without JavaScript the button is always there and the server's limit rules.
  const [wait, setWait] = useState(0);
  useEffect(() => {
    if (justSent) setWait(COOLDOWN_SECONDS);
  }, [justSent]);
  useEffect(() => {
    if (resent.status === 'success') setWait(COOLDOWN_SECONDS);
  }, [resent]);
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  return (
    <div className="space-y-6">
      <form ref={form} action={action} noValidate className="space-y-4">
        {state.message && (
          <FormAlert id="form-error" tone="error">
            {state.message}
          </FormAlert>
        )}
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
        <Field name="newPassword" label="New password" error={errors.newPassword} hint={`At least ${PASSWORD_MIN} characters (up to ${PASSWORD_MAX}).`}>
          <PasswordInput
            name="newPassword"
            autoComplete="new-password"
            required
            error={errors.newPassword}
            describedBy={errors.newPassword ? 'newPassword-error newPassword-hint' : 'newPassword-hint'}
          />
        </Field>
        <Field name="confirmPassword" label="Confirm new password" error={errors.confirmPassword}>
          <PasswordInput name="confirmPassword" autoComplete="new-password" required error={errors.confirmPassword} />
        </Field>
        <SubmitButton pendingLabel="Setting your password…" className="w-full">
          Set new password
        </SubmitButton>
      </form>

      <form action={resend} className="space-y-2 border-t border-slate-100 pt-4 text-sm">
        <input type="hidden" name="email" value={emailValue} />
        {resent.message && (
          <FormAlert id="resend-status" tone={resent.status === 'success' ? 'success' : 'error'}>
            {resent.message}
          </FormAlert>
        )}
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
