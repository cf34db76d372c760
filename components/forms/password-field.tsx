'use client';

import type { ReactNode } from 'react';
import { Field, describedBy } from './field';
import { PasswordInput } from './password-input';

type Props = { name: string; id?: string; label: string; error?: string; hint?: ReactNode; autoComplete: 'current-password' | 'new-password'; required?: boolean };

/** A labelled password input with a show/hide button, described by its error and hint. */
export function PasswordField({ name, id = name, label, error, hint, autoComplete, required }: Props) {
  return (
    <Field name={name} id={id} label={label} error={error} hint={hint}>
      <PasswordInput id={id} name={name} autoComplete={autoComplete} required={required} error={error} describedBy={describedBy(id, error, hint)} />
    </Field>
  );
}
