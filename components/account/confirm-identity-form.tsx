'use client';

import { startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { KeyRound } from 'lucide-react';
import { useState } from 'react';
import { confirmWithPasskey, reauthPasskeyOptions } from '@/app/account/passkey-actions';
import { confirmIdentityAction } from '@/app/account/two-step-actions';
import { ProviderButtons, type ProviderChoice } from '@/components/auth/provider-buttons';
import { FormAlert, FormStatus } from '@/components/forms/form-alert';
import { PasswordField } from '@/components/forms/password-field';
import { SecondFactorField } from '@/components/forms/second-factor-field';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

/**
 * "Confirm it's you" before a sensitive change, when the session's last authentication is more
 * than 10 minutes old: the password, a code from the app (two-step verification on), a passkey, or
 * a fresh sign-in with a connected provider. `hasPassword`: false for an account made through a
 * provider that never set one. The providers offered are those that can be asked for a fresh
 * sign-in (providers.ts `canConfirm`).
 */
export function ConfirmIdentityForm({
  username,
  twoStepOn,
  passkeys,
  hasPassword = true,
  providers = [],
  stale = true,
}: {
  username: string;
  twoStepOn: boolean;
  passkeys: boolean;
  hasPassword?: boolean;
  providers?: ProviderChoice[];
  /** The session's last authentication is over 10 minutes old (else: an account without a password, before an email change or deletion). */
  stale?: boolean;
}) {
  const { state, formAction, ref, errors } = useForm(confirmIdentityAction);
  const [codeChosen, setWithCode] = useState(false);
  const withCode = codeChosen || !hasPassword;
  const [passkeyError, setPasskeyError] = useState<string | null>(null);

  async function withPasskey() {
    setPasskeyError(null);
    const options = await reauthPasskeyOptions();
    if (!options.ok) return setPasskeyError(options.message);
    let response;
    try {
      response = await startAuthentication({ optionsJSON: options.options as PublicKeyCredentialRequestOptionsJSON });
    } catch {
      return setPasskeyError('No passkey was used. Try again, or enter your password.');
    }
    const confirmed = await confirmWithPasskey(response);
    if (!confirmed.ok) setPasskeyError(confirmed.message);
  }
  const other = twoStepOn && hasPassword && (
    <button type="button" onClick={() => setWithCode(!withCode)} className="text-sm font-medium text-indigo-700 underline-offset-2 hover:underline">
      {withCode ? 'Use your password instead' : 'Use a code from your authenticator app instead'}
    </button>
  );
  const passkeyButton = passkeys && (
    <button type="button" onClick={() => void withPasskey()} className="inline-flex items-center gap-2 rounded-lg px-3 py-2 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50">
      <KeyRound aria-hidden size={16} />
      Use a passkey
    </button>
  );
  const intro = (
    <p className="text-sm text-slate-700">
      <strong className="font-medium text-slate-900">Confirm it’s you</strong>{' '}
      {stale ? 'to change this: you last signed in or confirmed more than 10 minutes ago.' : 'to change your email or delete your account: your account has no password to ask for.'}
    </p>
  );
  const passkeyStatus = passkeyError && (
    <FormAlert id="confirm-passkey-status" tone="error">
      {passkeyError}
    </FormAlert>
  );
  const withProvider = <ProviderButtons providers={providers} mode="reauth" label={(name) => `Confirm with ${name}`} />;
  // Nothing to type: no password, no authenticator app.
  if (!hasPassword && !twoStepOn) {
    return (
      <div role="group" className="space-y-4" aria-label="Confirm it’s you">
        {intro}
        {passkeyStatus}
        {passkeyButton}
        {withProvider}
        {!passkeys && providers.length === 0 && (
          <p className="text-sm text-slate-700">
            The provider you sign in with can’t be asked to confirm it’s you. Set a password below (we’ll email you a code), then confirm with it.
          </p>
        )}
      </div>
    );
  }
  return (
    <div className="space-y-4">
      <form ref={ref} action={formAction} noValidate className="space-y-4" aria-label="Confirm it’s you">
        {intro}
        <FormStatus id="confirm-identity-status" state={state} />
        {passkeyStatus}
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        {withCode ? (
          <>
            <input type="hidden" name="password" value="" />
            <SecondFactorField id="confirm-code" error={errors.code} />
          </>
        ) : (
          <>
            <input type="hidden" name="code" value="" />
            <PasswordField name="password" id="confirm-password" label="Your password" autoComplete="current-password" required error={errors.password} />
          </>
        )}
        <div className="flex flex-wrap items-center gap-4">
          <SubmitButton pendingLabel="Checking…">Confirm</SubmitButton>
          {passkeyButton}
          {other}
        </div>
      </form>
      {withProvider}
    </div>
  );
}
