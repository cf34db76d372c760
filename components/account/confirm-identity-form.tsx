'use client';

import { useState } from 'react';
import { confirmIdentityAction } from '@/app/account/two-step-actions';
import { FormStatus } from '@/components/forms/form-alert';
import { PasswordField } from '@/components/forms/password-field';
import { SecondFactorField } from '@/components/forms/second-factor-field';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

/**
 * "Confirm it's you" before a sensitive change, when the session's last authentication is more
 * than 10 minutes old: the password, or (two-step verification on) a code from the app.
 */
export function ConfirmIdentityForm({ username, twoStepOn }: { username: string; twoStepOn: boolean }) {
  const { state, formAction, ref, errors } = useForm(confirmIdentityAction);
  const [withCode, setWithCode] = useState(false);
  const other = twoStepOn && (
    <button type="button" onClick={() => setWithCode(!withCode)} className="text-sm font-medium text-indigo-700 underline-offset-2 hover:underline">
      {withCode ? 'Use your password instead' : 'Use a code from your authenticator app instead'}
    </button>
  );
  return (
    <form ref={ref} action={formAction} noValidate className="space-y-4" aria-label="Confirm it’s you">
      <p className="text-sm text-slate-700">
        <strong className="font-medium text-slate-900">Confirm it’s you</strong> to change this: you last signed in or confirmed more than 10
        minutes ago.
      </p>
      <FormStatus id="confirm-identity-status" state={state} />
      <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
      {withCode ? (
        <>
          <input type="hidden" name="password" value="" />
          <SecondFactorField id="confirm-code" error={errors.code} />
        </>
      ) : (
        <>
          <input type="hidden" name="code" value="" />
          <PasswordField name="password" id="confirm-password" label="Your password" autoComplete="current-password" required error={errors.password} />
        </>
      )}
      <div className="flex flex-wrap items-center gap-4">
        <SubmitButton pendingLabel="Checking…">Confirm</SubmitButton>
        {other}
      </div>
    </form>
  );
}
