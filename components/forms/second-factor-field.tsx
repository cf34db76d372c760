'use client';

import { useState } from 'react';
import { Field } from './field';

/**
 * One field (name `code`) for a code from the authenticator app — 6 digits, the phone's number pad
 * — or, after "Use a recovery code instead", a recovery code. The server takes either in `code`.
 */
export function SecondFactorField({ id = 'code', defaultValue, error, autoFocus }: { id?: string; defaultValue?: string; error?: string; autoFocus?: boolean }) {
  const [recovery, setRecovery] = useState(defaultValue !== undefined && defaultValue.replace(/\s/g, '').length > 6);
  const toggle = (
    <button
      type="button"
      onClick={() => setRecovery(!recovery)}
      className="font-medium text-indigo-700 underline-offset-2 hover:underline"
    >
      {recovery ? 'Use a code from your authenticator app instead' : 'Use a recovery code instead'}
    </button>
  );
  return recovery ? (
    <Field
      key="recovery"
      name="code"
      id={id}
      label="Recovery code"
      autoComplete="off"
      autoCapitalize="none"
      spellCheck={false}
      placeholder="xxxx-xxxx-xxxx"
      maxLength={32}
      required
      autoFocus={autoFocus}
      defaultValue={defaultValue}
      error={error}
      hint={toggle}
    />
  ) : (
    <Field
      key="totp"
      name="code"
      id={id}
      label="Code from your authenticator app"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9 ]*"
      maxLength={7}
      required
      autoFocus={autoFocus}
      defaultValue={defaultValue}
      error={error}
      hint={toggle}
    />
  );
}
