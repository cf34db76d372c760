// The one contract between server actions and the forms that call them.

export type FormState<Field extends string = string> = {
  status: 'idle' | 'error' | 'success';
  /** A sentence for the whole form (shown above the fields). */
  message?: string;
  /** One message per field, shown next to it. */
  fieldErrors?: Partial<Record<Field, string>>;
  /** What the person typed, so a failed submit doesn't wipe it. Never passwords. */
  values?: Partial<Record<Field, string>>;
};

export const idle: FormState = { status: 'idle' };

/** The named fields of a form post as strings (a file or a missing field becomes ''). */
export function formFields<Field extends string>(formData: FormData, fields: readonly Field[]): Record<Field, string> {
  const out = {} as Record<Field, string>;
  for (const field of fields) {
    const value = formData.get(field);
    out[field] = typeof value === 'string' ? value : '';
  }
  return out;
}
