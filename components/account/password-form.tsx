'use client';

import { useActionState, useRef } from 'react';
import { changePassword } from '@/app/account/actions';
import { Field } from '@/components/forms/field';
import { FormAlert } from '@/components/forms/form-alert';
import { PasswordInput } from '@/components/forms/password-input';
import { SubmitButton } from '@/components/forms/submit-button';
import { useFocusFirstError } from '@/components/forms/use-focus-first-error';
import { idle } from '@/lib/forms';
import { PASSWORD_MAX, PASSWORD_MIN } from '@/lib/validation/fields';

export function PasswordForm({ username }: { username: string }) {
  const [state, action] = useActionState(changePassword, idle);
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstError(form, [state]);
  const errors = state.fieldErrors ?? {};
  return (
    <form ref={form} action={action} noValidate className="space-y-4">
      {state.message && (
        <FormAlert id="password-status" tone={state.status === 'success' ? 'success' : 'error'}>
          {state.message}
        </FormAlert>
      )}
      {/* Lets password managers file the new password under the right account. */}
      <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
      <Field name="currentPassword" label="Current password" error={errors.currentPassword}>
        <PasswordInput name="currentPassword" autoComplete="current-password" required error={errors.currentPassword} />
      </Field>
      <Field
        name="newPassword"
        label="New password"
        error={errors.newPassword}
        hint={`At least ${PASSWORD_MIN} characters (up to ${PASSWORD_MAX}).`}
      >
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
      <SubmitButton pendingLabel="Changing password…">Change password</SubmitButton>
    </form>
  );
}
