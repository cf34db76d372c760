'use client';

import { setPasswordByEmail } from '@/app/account/provider-actions';
import { FormStatus } from '@/components/forms/form-alert';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

/** An account made through a sign-in provider has no password to change: it sets one by emailed code. */
export function SetPasswordForm({ email, signsInWith }: { email: string; signsInWith: string }) {
  const { state, formAction, ref } = useForm(setPasswordByEmail);
  return (
    <form ref={ref} action={formAction} className="space-y-4">
      <FormStatus id="set-password-status" state={state} />
      <p className="text-sm text-slate-700">
        Your account has no password: you sign in {signsInWith}. To set one, we’ll email a code to <strong className="font-medium">{email}</strong>.
      </p>
      <SubmitButton pendingLabel="Sending…">Set a password</SubmitButton>
    </form>
  );
}
