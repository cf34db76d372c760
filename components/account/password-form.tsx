'use client';

import { changePassword } from '@/app/account/actions';
import { FormStatus } from '@/components/forms/form-alert';
import { NewPasswordFields } from '@/components/forms/new-password-fields';
import { PasswordField } from '@/components/forms/password-field';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

export function PasswordForm({ username }: { username: string }) {
  const { state, formAction, ref, errors } = useForm(changePassword);
  return (
    <form ref={ref} action={formAction} noValidate className="space-y-4">
      <FormStatus id="password-status" state={state} />
      {/* Lets password managers file the new password under the right account. */}
      <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
      <PasswordField name="currentPassword" label="Current password" autoComplete="current-password" required error={errors.currentPassword} />
      <NewPasswordFields name="newPassword" label="New password" errors={errors} />
      <SubmitButton pendingLabel="Changing password…">Change password</SubmitButton>
    </form>
  );
}
