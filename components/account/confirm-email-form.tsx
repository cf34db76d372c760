'use client';

import { useActionState } from 'react';
import { confirmEmail, resendEmailCode } from '@/app/account/actions';
import { CodeField } from '@/components/forms/code-field';
import { FormStatus } from '@/components/forms/form-alert';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';
import { useLatestAnswer } from '@/components/forms/use-latest-answer';
import { idle } from '@/lib/forms';

export function ConfirmEmailForm({ pendingEmail }: { pendingEmail: string }) {
  const { state, formAction, ref, errors } = useForm(confirmEmail);
  const [resent, resend] = useActionState(resendEmailCode, idle);
  const latest = useLatestAnswer(state, resent);
  return (
    <div className="space-y-4">
      <FormStatus id="confirm-email-status" state={latest} />
      <form ref={ref} action={formAction} noValidate className="space-y-4">
        <CodeField id="email-code" label={`Code sent to ${pendingEmail}`} error={errors.code} />
        <SubmitButton pendingLabel="Confirming…">Confirm new email</SubmitButton>
      </form>
      <form action={resend}>
        <SubmitButton variant="subtle" pendingLabel="Sending…">
          Send a new code
        </SubmitButton>
      </form>
    </div>
  );
}
