'use server';

import { redirect } from 'next/navigation';
import { hashingAction } from '@/lib/actions';
import { createAccount } from '@/lib/account/register';
import { signInBrowser, signOutCurrentSession } from '@/lib/auth/browser-session';
import { logIn, startSessionForClient } from '@/lib/auth/login';
import { formFields, type FormState } from '@/lib/forms';
import { loginUrl, safeNext } from '@/lib/routes';
import { TOO_MANY_ATTEMPTS, waitText } from '@/lib/security/rate-limit';
import { fieldErrors, loginSchema, registerSchema } from '@/lib/validation/auth';

const REGISTER_FIELDS = ['firstName', 'lastName', 'dateOfBirth', 'username', 'email', 'password', 'confirmPassword'] as const;
type RegisterField = (typeof REGISTER_FIELDS)[number];

export const register = hashingAction(async (_: FormState<RegisterField>, formData: FormData): Promise<FormState<RegisterField>> => {
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

  const started = await startSessionForClient(created.user.id, { remember: false });
  // The account exists; only the automatic sign-in failed. Send them to log in normally.
  if (!started) redirect('/login');
  await signInBrowser(created.user, started);
  redirect('/account?welcome=1');
});

type LoginField = 'login' | 'password';
const LOGIN_FAILED = 'That email or username and password don’t match an account.';

export const login = hashingAction(async (_: FormState<LoginField>, formData: FormData): Promise<FormState<LoginField>> => {
  const raw = formFields(formData, ['login', 'password', 'remember', 'next'] as const);
  const values = { login: raw.login.slice(0, 254) };
  const parsed = loginSchema.safeParse(raw);
  if (!parsed.success) {
    return { status: 'error', message: 'Please fill in both fields.', fieldErrors: fieldErrors(parsed.error), values };
  }
  const attempt = await logIn(parsed.data);
  if (!attempt.ok) {
    const message = attempt.retryAfterSeconds ? TOO_MANY_ATTEMPTS(attempt.retryAfterSeconds) : LOGIN_FAILED;
    return { status: 'error', message, values };
  }
  await signInBrowser(attempt.loggedIn.user, attempt.loggedIn);
  redirect(safeNext(parsed.data.next));
});

export async function logout(): Promise<void> {
  await signOutCurrentSession();
  redirect(loginUrl(undefined, 'signed-out'));
}
