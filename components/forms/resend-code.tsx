'use client';

import { useActionState, useEffect, useState } from 'react';
import { FormStatus } from '@/components/forms/form-alert';
import { idle, type FormState } from '@/lib/forms';
import { CODE_RESEND_SECONDS } from '@/lib/validation/auth';

type ResendAction = (state: FormState, formData: FormData) => Promise<FormState>;

/**
 * "No code, or it expired? Send a new code" under a form that takes an emailed code, for `email`.
 * The countdown (the server's once-a-minute limit) restarts whenever a code was, or may have been,
 * sent: on arrival when `justSent`, and after each resend. It starts only once the page runs
 * scripts: without JavaScript the button is always there and the server's limit rules.
 */
export function ResendCode({ action, email, justSent }: { action: ResendAction; email: string; justSent: boolean }) {
  const [resent, resend] = useActionState(action, idle);
  const [wait, setWait] = useState(0);
  useEffect(() => {
    if (justSent) setWait(CODE_RESEND_SECONDS);
  }, [justSent]);
  useEffect(() => {
    if (resent.status === 'success') setWait(CODE_RESEND_SECONDS);
  }, [resent]);
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  return (
    <form action={resend} className="space-y-2 border-t border-slate-100 pt-4 text-sm">
      <input type="hidden" name="email" value={email} />
      <FormStatus id="resend-status" state={resent} />
      <p className="text-slate-600">
        No code, or it expired?{' '}
        {wait > 0 ? (
          <span id="resend-wait">You can ask for a new one in {wait} s.</span>
        ) : (
          <button type="submit" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
            Send a new code
          </button>
        )}
      </p>
    </form>
  );
}
