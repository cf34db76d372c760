'use server';

import { redirect } from 'next/navigation';
import { createAccount } from '@/lib/account/register';
import { signInWithPassword, signOutCurrentSession } from '@/lib/auth/next-auth';
import { formFields, type FormState } from '@/lib/forms';
import { loginUrl, safeNext } from '@/lib/routes';
import { TOO_MANY_ATTEMPTS, waitText } from '@/lib/security/rate-limit';
import { fieldErrors, loginSchema, registerSchema } from '@/lib/validation/auth';

const REGISTER_FIELDS = ['firstName', 'lastName', 'dateOfBirth', 'username', 'email', 'password', 'confirmPassword'] as const;
type RegisterField = (typeof REGISTER_FIELDS)[number];

export async function register(_: FormState<RegisterField>, formData: FormData): Promise<FormState<RegisterField>> {
  const raw = formFields(formData, REGISTER_FIELDS);
  const { password: _password, confirmPassword: _confirm, ...values } = raw;
  const fail = (errors: Partial<Record<RegisterField, string>>): FormState<RegisterField> => ({
    status: 'error',
    message: 'Please correct the highlighted fields.',
    fieldErrors: errors,
    values,
  });

  const parsed = registerSchema.safeParse(raw);
  if (!parsed.success) return fail(fieldErrors(parsed.error));
  const { password, confirmPassword: _c, ...profile } = parsed.data;
  const created = await createAccount(profile, password);
  if (!created.ok && created.retryAfterSeconds) {
    return { status: 'error', message: `Too many sign-ups from your network. Try again in ${waitText(created.retryAfterSeconds)}.`, values };
  }
  if (!created.ok) return fail(created.fieldErrors!);
  const { username } = created.user;

  if (!(await signInWithPassword({ login: username, password, remember: false })).ok) {
    // The account exists; only the automatic sign-in failed. Send them to log in normally.
    redirect('/login');
  }
  redirect('/account?welcome=1');
}

type LoginField = 'login' | 'password';
const LOGIN_FAILED = 'That email or username and password don’t match an account.';

export async function login(_: FormState<LoginField>, formData: FormData): Promise<FormState<LoginField>> {
  const raw = formFields(formData, ['login', 'password', 'remember', 'next'] as const);
  const values = { login: raw.login.slice(0, 254) };
  const parsed = loginSchema.safeParse(raw);
  if (!parsed.success) {
    return { status: 'error', message: 'Please fill in both fields.', fieldErrors: fieldErrors(parsed.error), values };
  }
  const signedIn = await signInWithPassword(parsed.data);
  if (!signedIn.ok) {
    const message = signedIn.retryAfterSeconds ? TOO_MANY_ATTEMPTS(signedIn.retryAfterSeconds) : LOGIN_FAILED;
    return { status: 'error', message, values };
  }
  redirect(safeNext(parsed.data.next));
}

export async function logout(): Promise<void> {
  await signOutCurrentSession();
  redirect(loginUrl(undefined, 'signed-out'));
}
