'use client';

import { finishAccount } from '@/app/(auth)/provider-actions';
import { FormStatus } from '@/components/forms/form-alert';
import { PersonFields } from '@/components/forms/person-fields';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

export type Suggested = { username?: string; firstName?: string; lastName?: string };

/** The fields a provider didn't give, filled in with what it suggested (claims, GitHub's login). */
export function FinishAccountForm({ suggested }: { suggested: Suggested }) {
  const { state, formAction, ref, errors } = useForm(finishAccount);
  const v: Record<string, string | undefined> = { ...suggested, ...state.values };
  return (
    <form ref={ref} action={formAction} noValidate className="space-y-4">
      <FormStatus id="form-error" state={state} />
      <PersonFields values={v} errors={errors} />
      <SubmitButton pendingLabel="Creating your account…" className="w-full">
        Create account
      </SubmitButton>
    </form>
  );
}
