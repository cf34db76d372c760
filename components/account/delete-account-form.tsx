'use client';

import { useActionState, useRef } from 'react';
import { deleteAccount } from '@/app/account/actions';
import { Field } from '@/components/forms/field';
import { FormAlert } from '@/components/forms/form-alert';
import { PasswordInput } from '@/components/forms/password-input';
import { SubmitButton } from '@/components/forms/submit-button';
import { useFocusFirstError } from '@/components/forms/use-focus-first-error';
import { idle } from '@/lib/forms';

export function DeleteAccountForm() {
  const [state, action] = useActionState(deleteAccount, idle);
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstError(form, [state]);
  const errors = state.fieldErrors ?? {};
  return (
    <form ref={form} action={action} noValidate className="space-y-4">
      {state.message && (
        <FormAlert id="delete-status" tone="error">
          {state.message}
        </FormAlert>
      )}
      <Field name="password" id="delete-password" label="Your password" error={errors.password}>
        <PasswordInput id="delete-password" name="password" autoComplete="current-password" required error={errors.password} />
      </Field>
      <div>
        <label className="flex items-start gap-2 text-sm text-slate-800">
          <input
            type="checkbox"
            name="confirm"
            id="delete-confirm"
            aria-invalid={errors.confirm ? true : undefined}
            aria-describedby="delete-confirm-error"
            className="mt-0.5 size-4 shrink-0 rounded border-slate-300 accent-red-600"
          />
          I understand that my account and everything in it will be deleted, and this cannot be undone.
        </label>
        <p id="delete-confirm-error" className="mt-1 text-sm text-red-700" aria-live="polite">
          {errors.confirm}
        </p>
      </div>
      <SubmitButton variant="danger" pendingLabel="Deleting…">
        Delete my account
      </SubmitButton>
    </form>
  );
}
