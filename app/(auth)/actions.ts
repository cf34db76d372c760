'use server';

import { redirect } from 'next/navigation';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { signInWithPassword, signOutCurrentSession } from '@/lib/auth/next-auth';
import { hashPassword } from '@/lib/auth/password';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '@/lib/auth/password-policy';
import { TakenError, insertUser } from '@/lib/db/queries/users';
import { formFields, type FormState } from '@/lib/forms';
import { loginUrl, safeNext } from '@/lib/routes';
import { fieldErrors, loginSchema, registerSchema } from '@/lib/validation/auth';

const REGISTER_FIELDS = ['firstName', 'lastName', 'dateOfBirth', 'username', 'email', 'password', 'confirmPassword'] as const;
type RegisterField = (typeof REGISTER_FIELDS)[number];

const TAKEN_MESSAGES = {
  username: 'That username is already taken.',
  email: 'An account with this email already exists. Log in instead?',
} as const;

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
  if (isCommonPassword(password)) return fail({ password: COMMON_PASSWORD_MESSAGE });

  let username: string;
  try {
    const user = insertUser({ ...profile, passwordHash: await hashPassword(password) });
    username = user.username;
    await recordSecurityEvent(user.id, 'account_created');
  } catch (error) {
    if (error instanceof TakenError) return fail({ [error.field]: TAKEN_MESSAGES[error.field] });
    throw error;
  }

  if (!(await signInWithPassword({ login: username, password, remember: false }))) {
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
  const ok = await signInWithPassword(parsed.data);
  if (!ok) return { status: 'error', message: LOGIN_FAILED, values };
  redirect(safeNext(parsed.data.next));
}

export async function logout(): Promise<void> {
  await signOutCurrentSession();
  redirect(loginUrl(undefined, 'signed-out'));
}
