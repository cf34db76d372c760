'use client';

import { Link } from '@/components/link';
import { forgotPassword } from '@/app/(auth)/recovery-actions';
import { EmailField } from '@/components/forms/email-field';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

export function ForgotPasswordForm({ email }: { email?: string }) {
  const { state, formAction, ref, errors } = useForm(forgotPassword);
  return (
    <form ref={ref} action={formAction} noValidate className="space-y-4">
      <EmailField defaultValue={state.values?.email ?? email} error={errors.email} />
      <SubmitButton pendingLabel="Sending…" className="w-full">
        Send me a code
      </SubmitButton>
      <p className="text-center text-sm text-slate-600">
        Remembered it?{' '}
        <Link href="/login" className="font-medium text-indigo-700 hover:underline">
          Log in
        </Link>
      </p>
    </form>
  );
}
