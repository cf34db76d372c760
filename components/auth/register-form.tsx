'use client';

import { Link } from '@/components/link';
import { useRef, useState, type FocusEvent, type FormEvent, type PointerEvent } from 'react';
import { flushSync } from 'react-dom';
import { register } from '@/app/(auth)/actions';
import { EmailField } from '@/components/forms/email-field';
import { FormStatus } from '@/components/forms/form-alert';
import { NewPasswordFields } from '@/components/forms/new-password-fields';
import { SubmitButton } from '@/components/forms/submit-button';
import { PersonFields } from '@/components/forms/person-fields';
import { useForm } from '@/components/forms/use-form';
import { OrDivider, ProviderButtons, type ProviderChoice } from './provider-buttons';
import { fieldErrors, registerSchema } from '@/lib/validation/auth';

type Errors = Record<string, string | undefined>;

function clientErrors(form: HTMLFormElement): Errors {
  const parsed = registerSchema.safeParse(Object.fromEntries(new FormData(form)));
  return parsed.success ? {} : fieldErrors(parsed.error);
}

/**
 * The server decides; this mirrors the same zod rules in the browser so a person sees a mistake
 * when they leave the field instead of after a round trip. Without JavaScript the form still posts.
 */
/** `providers`: the sign-in providers the site offers, above the form. */
export function RegisterForm({ providers = [] }: { providers?: ProviderChoice[] }) {
  const { state, formAction, ref: form } = useForm(register);
  const [local, setLocal] = useState<{ errors: Errors; touched: Set<string>; forState: unknown }>({
    errors: {},
    touched: new Set(),
    forState: state,
  });
  // A new server answer replaces what the browser-side check said.
  const current = local.forState === state ? local : { errors: {}, touched: new Set<string>(), forState: state };
  const errors: Errors = { ...state.fieldErrors, ...current.errors };

  // Pressing "Create account" blurs the last field first. Checking it then would show its error,
  // push the button down before the press ends, and swallow the click. Submit checks everything.
  const pressingSubmit = useRef(false);
  function onPointerDown(event: PointerEvent<HTMLFormElement>) {
    pressingSubmit.current = (event.target as Element).closest('button[type="submit"]') !== null;
  }

  function onBlur(event: FocusEvent<HTMLFormElement>) {
    if (pressingSubmit.current) return;
    const target = event.target as unknown;
    const name = target instanceof HTMLInputElement ? target.name : '';
    if (!name || !form.current) return;
    const touched = new Set(current.touched).add(name);
    const all = clientErrors(form.current);
    const next: Errors = {};
    for (const field of touched) next[field] = all[field];
    setLocal({ errors: next, touched, forState: state });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    pressingSubmit.current = false;
    const all = clientErrors(event.currentTarget);
    if (Object.keys(all).length === 0) return;
    event.preventDefault();
    flushSync(() => setLocal({ errors: all, touched: new Set(Object.keys(all)), forState: state }));
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }

  const v = state.values ?? {};
  return (
    <div className="space-y-6">
      {providers.length > 0 && (
        <>
          <ProviderButtons providers={providers} />
          <OrDivider />
        </>
      )}
      <form ref={form} action={formAction} onPointerDownCapture={onPointerDown} onBlur={onBlur} onSubmit={onSubmit} noValidate className="space-y-4">
        <FormStatus id="form-error" state={state} />
        <PersonFields values={v} errors={errors} />
        <EmailField defaultValue={v.email} error={errors.email} />
        <NewPasswordFields name="password" label="Password" errors={errors} advice="A few unrelated words make a strong one." />
        <SubmitButton pendingLabel="Creating your account…" className="w-full">
          Create account
        </SubmitButton>
        <p className="text-center text-sm text-slate-600">
          Already have an account?{' '}
          <Link href="/login" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
            Log in
          </Link>
        </p>
      </form>
    </div>
  );
}
