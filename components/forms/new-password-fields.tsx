'use client';

import { PASSWORD_MAX, PASSWORD_MIN } from '@/lib/validation/fields';
import { PasswordField } from './password-field';

/**
 * A new password and its confirmation, the rule as a hint (registration, reset, change). `name`:
 * the new password's field; the confirmation is always `confirmPassword`.
 */
export function NewPasswordFields({
  name,
  label,
  errors,
  advice,
}: {
  name: string;
  label: string;
  errors: Partial<Record<string, string>>;
  /** A sentence after the rule. */
  advice?: string;
}) {
  return (
    <>
      <PasswordField
        name={name}
        label={label}
        autoComplete="new-password"
        required
        error={errors[name]}
        hint={[`At least ${PASSWORD_MIN} characters (up to ${PASSWORD_MAX}).`, advice].filter(Boolean).join(' ')}
      />
      <PasswordField name="confirmPassword" label={`Confirm ${label.toLowerCase()}`} autoComplete="new-password" required error={errors.confirmPassword} />
    </>
  );
}
