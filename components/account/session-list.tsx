'use client';

import { Laptop } from 'lucide-react';
import { useActionState } from 'react';
import { revokeOtherSessions, revokeSession } from '@/app/account/actions';
import { FormStatus } from '@/components/forms/form-alert';
import { SubmitButton } from '@/components/forms/submit-button';
import { idle } from '@/lib/forms';

export type SessionRow = {
  id: string;
  device: string;
  ip: string | null;
  started: string;
  lastSeen: string;
  current: boolean;
  remembered: boolean;
  /** How it was started ("with GitHub"), when known. */
  method: string | null;
};

export function SessionList({ sessions }: { sessions: SessionRow[] }) {
  const [one, revokeOne] = useActionState(revokeSession, idle);
  const [others, revokeOthers] = useActionState(revokeOtherSessions, idle);
  // The most recent answer of either form is the one to show.
  const latest = [one, others].filter((s) => s.message).at(-1);
  const hasOthers = sessions.some((s) => !s.current);
  return (
    <div className="space-y-4">
      <FormStatus id="sessions-status" state={latest} />
      <ul className="divide-y divide-slate-100" aria-label="Your sessions">
        {sessions.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-session={s.current ? 'current' : 'other'}>
            <div className="flex min-w-0 items-start gap-3">
              <Laptop aria-hidden size={20} className="mt-0.5 shrink-0 text-slate-500" />
              <div className="min-w-0 text-sm">
                <p className="font-medium text-slate-900">
                  {s.device}
                  {s.current && <span className="ml-2 rounded bg-emerald-50 px-1.5 py-0.5 text-xs font-medium text-emerald-700">This device</span>}
                </p>
                <p className="text-slate-600">
                  {s.ip ?? 'IP unknown'} · started {s.started}
                  {s.method ? ` ${s.method}` : ''} · last seen {s.lastSeen}
                  {s.remembered ? ' · kept signed in' : ''}
                </p>
              </div>
            </div>
            {!s.current && (
              <form action={revokeOne}>
                <input type="hidden" name="sessionId" value={s.id} />
                <SubmitButton variant="subtle" pendingLabel="Signing out…">
                  Sign out
                </SubmitButton>
              </form>
            )}
          </li>
        ))}
      </ul>
      {hasOthers && (
        <form action={revokeOthers}>
          <SubmitButton variant="subtle" pendingLabel="Signing out…">
            Sign out of all other sessions
          </SubmitButton>
        </form>
      )}
    </div>
  );
}
