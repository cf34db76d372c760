'use client';

import { Link } from '@/components/link';
import { login } from '@/app/(auth)/actions';
import { Field } from '@/components/forms/field';
import { FormStatus } from '@/components/forms/form-alert';
import { PasswordField } from '@/components/forms/password-field';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';
import { PasskeySignIn } from './passkey-sign-in';
import { OrDivider, ProviderButtons, type ProviderChoice } from './provider-buttons';

/**
 * `passkeys`: whether this site can use passkeys (lib/auth/passkeys.ts `relyingParty`).
 * `providers`: the sign-in providers it offers (lib/auth/providers.ts).
 */
export function LoginForm({ next, passkeys = false, providers = [] }: { next?: string; passkeys?: boolean; providers?: ProviderChoice[] }) {
  const { state, formAction, ref, errors } = useForm(login);
  return (
    <div className="space-y-4">
      <form ref={ref} action={formAction} noValidate className="space-y-4">
        <FormStatus id="form-error" state={state} />
        {next && <input type="hidden" name="next" value={next} />}
        <Field
          name="login"
          label="Email or username"
          autoComplete={passkeys ? 'username webauthn' : 'username'}
          autoCapitalize="none"
          spellCheck={false}
          required
          defaultValue={state.values?.login}
          error={errors.login}
          aria-invalid={errors.login || state.status === 'error' ? true : undefined}
        />
        <PasswordField name="password" label="Password" autoComplete="current-password" required error={errors.password} />
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
      </form>
      {(passkeys || providers.length > 0) && <OrDivider />}
      {passkeys && <PasskeySignIn next={next} form={ref} />}
      <ProviderButtons providers={providers} next={next} form={ref} />
      <p className="text-center text-sm text-slate-600">
        New here?{' '}
        <Link href="/register" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
          Create an account
        </Link>
      </p>
    </div>
  );
}
