// The one contract between server actions and the forms that call them.

export type FormState<Field extends string = string> = {
  status: 'idle' | 'error' | 'success';
  /** A sentence for the whole form (shown above the fields). */
  message?: string;
  /** One message per field, shown next to it. */
  fieldErrors?: Partial<Record<Field, string>>;
  /** What the person typed, so a failed submit doesn't wipe it. Never passwords. */
  values?: Partial<Record<Field, string>>;
  /** Shown once and never again (new recovery codes): only ever in the answer to the action that made them. */
  secrets?: string[];
};

export const idle: FormState = { status: 'idle' };

/**
 * The named fields of a form post as strings (a file or a missing field becomes ''). A server
 * action is a public endpoint: a post crafted with other arguments than a form gets empty fields,
 * and so the form's own "please fill in" answer, not a 500.
 */
export function formFields<Field extends string>(formData: unknown, fields: readonly Field[]): Record<Field, string> {
  const out = {} as Record<Field, string>;
  for (const field of fields) {
    const value = typeof (formData as FormData | null)?.get === 'function' ? (formData as FormData).get(field) : null;
    out[field] = typeof value === 'string' ? value : '';
  }
  return out;
}
