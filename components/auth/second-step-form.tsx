'use client';

import { completeSecondStep } from '@/app/(auth)/second-step-actions';
import { FormStatus } from '@/components/forms/form-alert';
import { SecondFactorField } from '@/components/forms/second-factor-field';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

export function SecondStepForm({ next }: { next?: string }) {
  const { state, formAction, ref, errors } = useForm(completeSecondStep);
  return (
    <form ref={ref} action={formAction} noValidate className="space-y-4">
      <FormStatus id="form-error" state={state} />
      {next && <input type="hidden" name="next" value={next} />}
      <SecondFactorField defaultValue={state.values?.code} error={errors.code} autoFocus />
      <SubmitButton pendingLabel="Checking…" className="w-full">
        Verify and sign in
      </SubmitButton>
    </form>
  );
}
