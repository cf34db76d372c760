'use client';

import { deleteAccount } from '@/app/account/actions';
import { FormStatus } from '@/components/forms/form-alert';
import { PasswordField } from '@/components/forms/password-field';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

/** `hasPassword`: false for an account made through a provider: a recent "Confirm it's you" stands in. */
export function DeleteAccountForm({ hasPassword = true }: { hasPassword?: boolean }) {
  const { state, formAction, ref, errors } = useForm(deleteAccount);
  return (
    <form ref={ref} action={formAction} noValidate className="space-y-4">
      <FormStatus id="delete-status" state={state} />
      {hasPassword ? (
        <PasswordField name="password" id="delete-password" label="Your password" autoComplete="current-password" required error={errors.password} />
      ) : (
        <>
          <input type="hidden" name="password" value="" />
          <p className="text-sm text-slate-700">Your account has no password: deleting it needs a recent “Confirm it’s you”.</p>
          {errors.password && (
            <p id="delete-password-error" className="text-sm text-red-700" role="alert">
              {errors.password}
            </p>
          )}
        </>
      )}
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
