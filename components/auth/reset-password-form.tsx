'use client';

import { useState } from 'react';
import { resendResetCode, resetPasswordWithCode } from '@/app/(auth)/recovery-actions';
import { CodeField } from '@/components/forms/code-field';
import { EmailField } from '@/components/forms/email-field';
import { FormStatus } from '@/components/forms/form-alert';
import { ResendCode } from '@/components/forms/resend-code';
import { NewPasswordFields } from '@/components/forms/new-password-fields';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

export function ResetPasswordForm({ email, justSent }: { email?: string; justSent: boolean }) {
  const { state, formAction, ref, errors } = useForm(resetPasswordWithCode);
  const [emailValue, setEmailValue] = useState(state.values?.email ?? email ?? '');

  return (
    <div className="space-y-6">
      <form ref={ref} action={formAction} noValidate className="space-y-4">
        <FormStatus id="form-error" state={state} />
        <EmailField value={emailValue} onChange={(e) => setEmailValue(e.target.value)} error={errors.email} />
        <CodeField defaultValue={state.values?.code} error={errors.code} />
        <NewPasswordFields name="newPassword" label="New password" errors={errors} />
        <SubmitButton pendingLabel="Setting your password…" className="w-full">
          Set new password
        </SubmitButton>
      </form>

      <ResendCode action={resendResetCode} email={emailValue} justSent={justSent} />
    </div>
  );
}
