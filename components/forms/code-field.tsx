import { Field } from './field';

/** The 6-digit code from a mail (name `code`), typed or filled in by the phone's one-time-code suggestion. */
export function CodeField({ id, label = 'Code from the email', defaultValue, error }: { id?: string; label?: string; defaultValue?: string; error?: string }) {
  return (
    <Field
      name="code"
      id={id}
      label={label}
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]*"
      maxLength={6}
      required
      defaultValue={defaultValue}
      error={error}
    />
  );
}
