'use client';

import { useActionState } from 'react';
import { disconnectProviderAction } from '@/app/account/provider-actions';
import { ProviderButtons } from '@/components/auth/provider-buttons';
import { FormStatus } from '@/components/forms/form-alert';
import { SubmitButton } from '@/components/forms/submit-button';
import { idle } from '@/lib/forms';

export type ConnectedAccountRow = {
  id: string;
  name: string;
  /** Null when this provider isn't connected. */
  connected: { email: string | null; linked: string; lastUsed: string | null } | null;
};

/** Each provider the site offers: connected (with disconnect) or not (with connect). */
export function ConnectedAccounts({ rows, recent }: { rows: ConnectedAccountRow[]; recent: boolean }) {
  const [state, disconnect] = useActionState(disconnectProviderAction, idle);
  return (
    <div className="space-y-4">
      <FormStatus id="connected-accounts-status" state={state} />
      <ul className="divide-y divide-slate-100" aria-label="Connected accounts">
        {rows.map((row) => (
          <li key={row.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-provider={row.id} data-connected={row.connected ? 'yes' : 'no'}>
            <div className="min-w-0 text-sm">
              <p className="font-medium text-slate-900">{row.name}</p>
              <p className="text-slate-600">
                {row.connected
                  ? `${row.connected.email ?? 'No email address'} · connected ${row.connected.linked}${row.connected.lastUsed ? ` · last used ${row.connected.lastUsed}` : ''}`
                  : 'Not connected'}
              </p>
            </div>
            {recent &&
              (row.connected ? (
                <form action={disconnect}>
                  <input type="hidden" name="provider" value={row.id} />
                  <SubmitButton variant="subtle" pendingLabel="Disconnecting…">
                    Disconnect
                  </SubmitButton>
                </form>
              ) : (
                <div className="w-full sm:w-auto">
                  <ProviderButtons providers={[{ id: row.id, name: row.name }]} mode="connect" label={(name) => `Connect ${name}`} />
                </div>
              ))}
          </li>
        ))}
      </ul>
      {!recent && <p className="text-sm text-slate-600">Confirm it’s you above to connect or disconnect an account.</p>}
    </div>
  );
}
