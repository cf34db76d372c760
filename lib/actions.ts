import 'server-only';
import { redirect } from 'next/navigation';
import type { z } from 'zod';
import { busy, databaseUnavailable, invalid, type Failure } from '@/lib/account/failure';
import { clearSessionCookies } from '@/lib/auth/browser-session';
import { requireSession, type CurrentSession } from '@/lib/auth/dal';
import { HashingBusyError } from '@/lib/auth/password';
import { isDatabaseUnavailable, logUnavailable } from '@/lib/db/client';
import { formFields, type FormState } from '@/lib/forms';
import { loginUrl } from '@/lib/routes';
import { fieldErrors } from '@/lib/validation/auth';

// Server actions are written once in this shape: read exactly the fields the schema names, parse,
// run the use-case, and turn whatever failed into the form's state — the same failures the API
// turns into its errors (lib/api/errors.ts `failureError`).

type Typed = Record<string, string>;
type Schema = z.ZodObject<z.ZodRawShape>;

/**
 * A failure as a form shows it: each message next to the field it names, the form's own summary
 * above them (or the failure's message, when it names no field), and what was typed kept.
 */
export function failedForm(failure: Failure, summary: string | undefined, values?: Typed): FormState {
  return { status: 'error', message: failure.fields ? summary : failure.message, fieldErrors: failure.fields, values };
}

/** What was typed, to put back in the form: never a password, never more than a field can hold. */
const echo = (raw: Typed): Typed => Object.fromEntries(Object.entries(raw).filter(([name]) => !/password/i.test(name)).map(([name, value]) => [name, value.slice(0, 256)]));

/**
 * A form's server action. `summary` heads the form when fields are wrong. The action gets the
 * parsed data and what was typed, and answers with the form's next state or a use-case's failure
 * (or redirects). A full hashing queue becomes "busy", and a database out of reach "temporarily
 * unavailable", not an error page.
 */
export function formAction<S extends Schema>(
  schema: S,
  summary: string | undefined,
  action: (data: z.output<S>, typed: Typed) => Promise<FormState | Failure>,
) {
  const names = Object.keys(schema.shape);
  return async (_state: FormState, formData: FormData): Promise<FormState> => {
    const raw = formFields(formData, names);
    const typed = echo(raw);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return failedForm(invalid(fieldErrors(parsed.error)), summary, typed);
    try {
      const result = await action(parsed.data, typed);
      return 'kind' in result ? failedForm(result, summary, typed) : result;
    } catch (error) {
      if (error instanceof HashingBusyError) return failedForm(busy(error.retryAfterSeconds), summary, typed);
      if (isDatabaseUnavailable(error)) {
        logUnavailable('action', error);
        return failedForm(databaseUnavailable(), summary, typed);
      }
      throw error;
    }
  };
}

/**
 * The same for a signed-in person's form on `path`: the person comes from their session (checked
 * against the database), never from a form field; a session that ended on the way (a password
 * changed elsewhere while this one was checked) sends them to log in.
 */
export function sessionFormAction<S extends Schema>(
  path: string,
  schema: S,
  summary: string | undefined,
  action: (data: z.output<S>, session: CurrentSession, typed: Typed) => Promise<FormState | Failure>,
) {
  const inner = formAction(schema, summary, async (data, typed) => {
    const result = await action(data, await requireSession(path, 'action'), typed);
    if ('kind' in result && result.kind === 'session_ended') {
      await clearSessionCookies();
      redirect(loginUrl(path, 'ended'));
    }
    return result;
  });
  return async (state: FormState, formData: FormData): Promise<FormState> => {
    // Logged out: to the login page before anything is read.
    try {
      await requireSession(path, 'action');
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      logUnavailable('action', error);
      return failedForm(databaseUnavailable(), summary, echo(formFields(formData, Object.keys(schema.shape))));
    }
    return inner(state, formData);
  };
}

/** What a script-called action answers (a WebAuthn ceremony's halves): options for the browser, or why not. */
export type CeremonyAnswer = { ok: true; options?: unknown } | { ok: false; message: string };

/**
 * An action called from script with JSON arguments rather than a form. The same failures as a
 * form's become a message; a redirect (a session that ended, a sign-in done) goes through.
 */
export async function ceremony(run: () => Promise<({ ok: true; options?: unknown } | Failure) | CeremonyAnswer>): Promise<CeremonyAnswer> {
  try {
    const result = await run();
    if (result.ok) return 'options' in result ? { ok: true, options: result.options } : { ok: true };
    return { ok: false, message: result.message };
  } catch (error) {
    if (error instanceof HashingBusyError) return { ok: false, message: busy(error.retryAfterSeconds).message };
    if (isDatabaseUnavailable(error)) {
      logUnavailable('action', error);
      return { ok: false, message: databaseUnavailable().message };
    }
    throw error;
  }
}
