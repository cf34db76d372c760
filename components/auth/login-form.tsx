'use client';

import Link from 'next/link';
import { useActionState, useRef } from 'react';
import { login } from '@/app/(auth)/actions';
import { Field } from '@/components/forms/field';
import { FormAlert } from '@/components/forms/form-alert';
import { PasswordInput } from '@/components/forms/password-input';
import { SubmitButton } from '@/components/forms/submit-button';
import { useFocusFirstError } from '@/components/forms/use-focus-first-error';
import { idle } from '@/lib/forms';

export function LoginForm({ next }: { next?: string }) {
  const [state, action] = useActionState(login, idle);
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstError(form, [state]);
  const errors = state.fieldErrors ?? {};

  return (
    <form ref={form} action={action} noValidate className="space-y-4">
      {state.message && (
        <FormAlert id="form-error" tone="error">
          {state.message}
        </FormAlert>
      )}
      {next && <input type="hidden" name="next" value={next} />}
      <Field
        name="login"
        label="Email or username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        defaultValue={state.values?.login}
        error={errors.login}
        aria-invalid={errors.login || state.status === 'error' ? true : undefined}
      />
      <Field name="password" label="Password" error={errors.password}>
        <PasswordInput name="password" autoComplete="current-password" required error={errors.password} />
      </Field>
      <div className="flex items-center justify-between gap-4">
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" name="remember" className="size-4 rounded border-slate-300 accent-indigo-600" />
          Keep me signed in
        </label>
        <Link href="/forgot-password" className="text-sm font-medium text-indigo-700 underline-offset-2 hover:underline">
          Forgot password?
        </Link>
      </div>
      <SubmitButton pendingLabel="Logging in…" className="w-full">
        Log in
      </SubmitButton>
      <p className="text-center text-sm text-slate-600">
        New here?{' '}
        <Link href="/register" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
          Create an account
        </Link>
      </p>
    </form>
  );
}
