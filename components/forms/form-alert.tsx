import { CircleAlert, CircleCheck, Info } from 'lucide-react';
import type { ReactNode } from 'react';
import type { FormState } from '@/lib/forms';

const tones = {
  error: { box: 'border-red-200 bg-red-50 text-red-800', Icon: CircleAlert },
  success: { box: 'border-emerald-200 bg-emerald-50 text-emerald-800', Icon: CircleCheck },
  info: { box: 'border-sky-200 bg-sky-50 text-sky-900', Icon: Info },
};

/** A message about the whole form or page. `id` is stable so tests and aria can point at it. */
export function FormAlert({ id, tone, children }: { id: string; tone: keyof typeof tones; children: ReactNode }) {
  const { box, Icon } = tones[tone];
  return (
    <div id={id} role={tone === 'error' ? 'alert' : 'status'} className={`flex items-start gap-2 rounded-lg border px-3 py-2 text-sm ${box}`}>
      <Icon aria-hidden size={18} className="mt-0.5 shrink-0" />
      <div className="min-w-0 wrap-anywhere">{children}</div>
    </div>
  );
}

/** A form's answer, when it has one: success or error, as its server action said. */
export function FormStatus({ id, state }: { id: string; state: FormState | undefined }) {
  if (!state?.message) return null;
  return (
    <FormAlert id={id} tone={state.status === 'success' ? 'success' : 'error'}>
      {state.message}
    </FormAlert>
  );
}
