import type { ComponentProps } from 'react';
import { Field } from './field';

/** The email address field (name `email`), as every form that asks for one shows it. */
export function EmailField(props: Omit<ComponentProps<typeof Field>, 'name' | 'label' | 'type' | 'autoComplete' | 'required'>) {
  return <Field name="email" label="Email" type="email" autoComplete="email" required {...props} />;
}
