'use client';

import { useActionState, useEffect, useState } from 'react';
import { confirmEmail, resendEmailCode } from '@/app/account/actions';
import { Field } from '@/components/forms/field';
import { FormStatus } from '@/components/forms/form-alert';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';
import { idle } from '@/lib/forms';

export function ConfirmEmailForm({ pendingEmail }: { pendingEmail: string }) {
  const { state, formAction, ref, errors } = useForm(confirmEmail);
  const [resent, resend] = useActionState(resendEmailCode, idle);
  // One status line: whichever of the two forms answered last.
  const [last, setLast] = useState<'confirm' | 'resend'>('confirm');
  useEffect(() => {
    if (state.message) setLast('confirm');
  }, [state]);
  useEffect(() => {
    if (resent.message) setLast('resend');
  }, [resent]);
  const latest = last === 'resend' ? resent : state;
  return (
    <div className="space-y-4">
      <FormStatus id="confirm-email-status" state={latest} />
      <form ref={ref} action={formAction} noValidate className="space-y-4">
        <Field
          name="code"
          id="email-code"
          label={`Code sent to ${pendingEmail}`}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
          error={errors.code}
        />
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
