'use client';

import { startRegistration, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { KeyRound } from 'lucide-react';
import { useState } from 'react';
import { newPasskeyOptions, removePasskeyAction, renamePasskeyAction, saveNewPasskey } from '@/app/account/passkey-actions';
import { Field } from '@/components/forms/field';
import { FormAlert, FormStatus } from '@/components/forms/form-alert';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

export type PasskeyView = { id: string; name: string; created: string; lastUsed: string | null; synced: boolean };

/** Passkeys on /account/security: the list, and (after a recent authentication) add, rename, remove. */
export function PasskeySection({ passkeys, recent, suggestedName }: { passkeys: PasskeyView[]; recent: boolean; suggestedName: string }) {
  return (
    <div className="space-y-5">
      {passkeys.length === 0 ? (
        <p className="text-sm text-slate-600">No passkeys yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Your passkeys">
          {passkeys.map((passkey) => (
            <PasskeyRow key={passkey.id} passkey={passkey} recent={recent} />
          ))}
        </ul>
      )}
      {recent ? <AddPasskey suggestedName={suggestedName} /> : <p className="text-sm text-slate-600">Confirm it’s you (above) to add, rename or remove passkeys.</p>}
    </div>
  );
}

function PasskeyRow({ passkey, recent }: { passkey: PasskeyView; recent: boolean }) {
  const rename = useForm(renamePasskeyAction);
  const remove = useForm(removePasskeyAction);
  const [renaming, setRenaming] = useState(false);
  return (
    <li className="space-y-3 py-3" data-passkey={passkey.name}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="flex min-w-0 items-start gap-3">
          <KeyRound aria-hidden size={18} className="mt-0.5 shrink-0 text-slate-500" />
          <div className="min-w-0">
            <p className="font-medium text-slate-900 wrap-anywhere">
              {passkey.name}
              {passkey.synced && <span className="ml-2 rounded bg-sky-50 px-1.5 py-0.5 text-xs font-normal text-sky-800">Synced</span>}
            </p>
            <p className="text-sm text-slate-600">
              Added {passkey.created} · {passkey.lastUsed ? `last used ${passkey.lastUsed}` : 'never used to sign in'}
            </p>
          </div>
        </div>
        {recent && (
          <div className="flex gap-2">
            <button type="button" onClick={() => setRenaming(!renaming)} className="rounded-lg px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50">
              Rename
            </button>
            <form ref={remove.ref} action={remove.formAction}>
              <input type="hidden" name="id" value={passkey.id} />
              <SubmitButton pendingLabel="Removing…" variant="danger" className="px-3 py-1.5">
                Remove
              </SubmitButton>
            </form>
          </div>
        )}
      </div>
      <FormStatus id={`remove-status-${passkey.id}`} state={remove.state} />
      {renaming && (
        <form ref={rename.ref} action={rename.formAction} noValidate className="flex flex-wrap items-end gap-3">
          <input type="hidden" name="id" value={passkey.id} />
          <Field name="name" id={`rename-${passkey.id}`} label="New name" defaultValue={passkey.name} maxLength={64} required error={rename.errors.name} className="min-w-48 flex-1" />
          <SubmitButton pendingLabel="Saving…">Save name</SubmitButton>
        </form>
      )}
      {rename.state.status === 'success' && <FormStatus id={`rename-status-${passkey.id}`} state={rename.state} />}
    </li>
  );
}

function AddPasskey({ suggestedName }: { suggestedName: string }) {
  const [name, setName] = useState(suggestedName);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);

  async function add() {
    setAnswer(null);
    if (name.trim() === '') return setAnswer({ tone: 'error', text: 'Name this passkey first.' });
    setBusy(true);
    try {
      const options = await newPasskeyOptions();
      if (!options.ok) return setAnswer({ tone: 'error', text: options.message });
      let response;
      try {
        response = await startRegistration({ optionsJSON: options.options as PublicKeyCredentialCreationOptionsJSON });
      } catch (error) {
        const exists = error instanceof Error && error.name === 'InvalidStateError';
        return setAnswer({ tone: 'error', text: exists ? 'This device already has a passkey for your account.' : 'No passkey was added: the request was cancelled or timed out.' });
      }
      const saved = await saveNewPasskey(name, response);
      setAnswer(saved.ok ? { tone: 'success', text: `Passkey “${name.trim()}” added. You can sign in with it now.` } : { tone: 'error', text: saved.message });
      if (saved.ok) setName('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="space-y-4 border-t border-slate-100 pt-5"
      aria-label="Add a passkey"
      onSubmit={(event) => {
        event.preventDefault();
        void add();
      }}
    >
      {answer && (
        <FormAlert id="passkey-status" tone={answer.tone}>
          {answer.text}
        </FormAlert>
      )}
      <Field name="passkeyName" id="passkey-name" label="Name for the new passkey" hint="So you can tell your passkeys apart, e.g. “Work laptop”." value={name} onChange={(e) => setName(e.target.value)} maxLength={64} required />
      <button type="submit" disabled={busy} className="inline-flex items-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
        <KeyRound aria-hidden size={16} />
        {busy ? 'Waiting for your device…' : 'Add a passkey'}
      </button>
    </form>
  );
}
