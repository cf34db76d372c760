'use client';

import { replaceProfile, updateProfilePartially } from '@/app/account/actions';
import { Field } from '@/components/forms/field';
import { FormStatus } from '@/components/forms/form-alert';
import { PasswordField } from '@/components/forms/password-field';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';
import { NAME_MAX, USERNAME_MAX, isoDate } from '@/lib/validation/fields';

export type ProfileValues = {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  /** updatedAt in ms: a full replace is refused if the profile changed since the page loaded. */
  version: string;
};

/**
 * `partial`: every field blank, the current value as a placeholder; only what is filled in changes.
 * `full`: every field required and pre-filled; the whole profile is replaced.
 */
/** `hasPassword`: false for an account made through a provider: an email change then needs a recent "Confirm it's you". */
export function ProfileForm({ mode, current, hasPassword = true }: { mode: 'partial' | 'full'; current: ProfileValues; hasPassword?: boolean }) {
  const { state, formAction, ref, errors } = useForm(mode === 'partial' ? updateProfilePartially : replaceProfile);
  const id = (name: string) => `${mode}-${name}`;
  const full = mode === 'full';
  // After an error the form keeps what was typed; otherwise it starts from the profile.
  const typed = state.status === 'error' ? state.values : undefined;
  const value = (name: keyof ProfileValues) => typed?.[name] ?? (full ? current[name] : '');
  const placeholder = (name: keyof ProfileValues) => (full ? undefined : current[name]);
  const common = (name: keyof ProfileValues) => ({
    id: id(name),
    name,
    error: errors[name],
    defaultValue: value(name),
    placeholder: placeholder(name),
    required: full,
  });

  return (
    <form ref={ref} action={formAction} noValidate className="space-y-4" aria-labelledby={`${mode}-heading`}>
      <FormStatus id={`${mode}-status`} state={state} />
      {full && <input type="hidden" name="version" value={typed?.version ?? current.version} />}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="First name" autoComplete="given-name" maxLength={NAME_MAX} {...common('firstName')} />
        <Field label="Last name" autoComplete="family-name" maxLength={NAME_MAX} {...common('lastName')} />
      </div>
      <Field
        label="Date of birth"
        type="date"
        max={isoDate(new Date())}
        hint={full ? undefined : `Now ${current.dateOfBirth} (year-month-day).`}
        {...common('dateOfBirth')}
      />
      <Field
        label="Username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        maxLength={USERNAME_MAX}
        {...common('username')}
      />
      <Field label="Email" type="email" autoComplete="email" {...common('email')} />
      {hasPassword ? (
        <PasswordField
          id={id('currentPassword')}
          name="currentPassword"
          label="Current password"
          autoComplete="current-password"
          error={errors.currentPassword}
          hint="Needed only when you change your email."
        />
      ) : (
        <p className="text-sm text-slate-600" id={id('currentPassword-error')} role={errors.currentPassword ? 'alert' : undefined}>
          {errors.currentPassword ?? 'Your account has no password: changing your email needs a recent “Confirm it’s you” on the Security page.'}
        </p>
      )}
      <SubmitButton pendingLabel="Saving…">{full ? 'Replace profile' : 'Save changes'}</SubmitButton>
    </form>
  );
}
