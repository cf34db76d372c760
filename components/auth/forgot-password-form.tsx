'use client';

import Link from 'next/link';
import { useActionState, useRef } from 'react';
import { forgotPassword } from '@/app/(auth)/recovery-actions';
import { Field } from '@/components/forms/field';
import { SubmitButton } from '@/components/forms/submit-button';
import { useFocusFirstError } from '@/components/forms/use-focus-first-error';
import { idle } from '@/lib/forms';

export function ForgotPasswordForm({ email }: { email?: string }) {
  const [state, action] = useActionState(forgotPassword, idle);
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstError(form, [state]);
  return (
    <form ref={form} action={action} noValidate className="space-y-4">
      <Field
        name="email"
        label="Email"
        type="email"
        autoComplete="email"
        required
        defaultValue={state.values?.email ?? email}
        error={state.fieldErrors?.email}
      />
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
