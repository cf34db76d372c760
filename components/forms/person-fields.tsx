import { NAME_MAX, USERNAME_MAX, isoDate } from '@/lib/validation/fields';
import { Field } from './field';

type Values = Record<string, string | undefined>;

/** Who a new account is for: names, date of birth, username (registration, and after a sign-in provider). */
export function PersonFields({ values, errors }: { values: Values; errors: Values }) {
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="firstName" label="First name" autoComplete="given-name" required maxLength={NAME_MAX} defaultValue={values.firstName} error={errors.firstName} />
        <Field name="lastName" label="Last name" autoComplete="family-name" required maxLength={NAME_MAX} defaultValue={values.lastName} error={errors.lastName} />
      </div>
      <Field
        name="dateOfBirth"
        label="Date of birth"
        type="date"
        autoComplete="bday"
        required
        max={isoDate(new Date())}
        defaultValue={values.dateOfBirth}
        error={errors.dateOfBirth}
      />
      <Field
        name="username"
        label="Username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        maxLength={USERNAME_MAX}
        defaultValue={values.username}
        error={errors.username}
        hint={`3–${USERNAME_MAX} characters: letters and digits, starting with a letter.`}
      />
    </>
  );
}
