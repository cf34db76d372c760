'use client';

import { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill, startAuthentication, WebAuthnAbortService, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { KeyRound } from 'lucide-react';
import { useEffect, useState, type RefObject } from 'react';
import { passkeySignInOptions, signInWithPasskey } from '@/app/(auth)/passkey-actions';
import { FormAlert } from '@/components/forms/form-alert';

type Mode = 'button' | 'autofill';

/**
 * "Sign in with a passkey" (discoverable credentials: no username needed), and the same offered
 * by the browser's autofill on the login field (`autocomplete="username webauthn"`) where it can.
 * `form`: the login form, whose "Keep me signed in" applies here too. `autofill`: offer it there.
 */
export function PasskeySignIn({ next, form, label = 'Sign in with a passkey', autofill = true }: { next?: string; form?: RefObject<HTMLFormElement | null>; label?: string; autofill?: boolean }) {
  const [supported, setSupported] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  async function run(mode: Mode) {
    const options = await passkeySignInOptions();
    if (!options.ok) return setMessage(options.message);
    let response;
    try {
      response = await startAuthentication({ optionsJSON: options.options as PublicKeyCredentialRequestOptionsJSON, useBrowserAutofill: mode === 'autofill' });
    } catch (error) {
      // The person closed the dialog, autofill was abandoned, or this device has no passkey for the site.
      if (mode === 'button') setMessage('No passkey was used. Try again, or log in with your password.');
      void error;
      return;
    }
    setBusy(true);
    const remember = (form?.current?.elements.namedItem('remember') as HTMLInputElement | null)?.checked ?? false;
    const answer = await signInWithPasskey(response, remember, next);
    // On success the action redirected; we only get here when it didn't.
    setBusy(false);
    if (!answer.ok) setMessage(answer.message);
  }

  useEffect(() => {
    setSupported(browserSupportsWebAuthn());
    let cancelled = false;
    if (autofill) {
      void browserSupportsWebAuthnAutofill().then((available) => {
        if (available && !cancelled) void run('autofill');
      });
    }
    return () => {
      cancelled = true;
      WebAuthnAbortService.cancelCeremony();
    };
    // Once per page: the autofill request waits for the person.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (!supported) return null;
  return (
    <div className="space-y-3">
      {message && (
        <FormAlert id="passkey-status" tone="error">
          {message}
        </FormAlert>
      )}
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          setMessage(null);
          void run('button');
        }}
        className="inline-flex w-full items-center justify-center gap-2 rounded-lg bg-white px-4 py-2.5 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50 disabled:opacity-60"
      >
        <KeyRound aria-hidden size={18} />
        {busy ? 'Signing in…' : label}
      </button>
    </div>
  );
}
