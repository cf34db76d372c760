'use client';

import { useActionState, useRef } from 'react';
import { idle, type FormState } from '@/lib/forms';
import { useFocusFirstError } from './use-focus-first-error';

/**
 * What every form of ours starts with: its server action's state, the form element, focus on the
 * first invalid field after each answer, and the field errors to show.
 */
export function useForm(action: (state: FormState, formData: FormData) => Promise<FormState>) {
  const [state, formAction] = useActionState(action, idle);
  const ref = useRef<HTMLFormElement>(null);
  useFocusFirstError(ref, [state]);
  return { state, formAction, ref, errors: state.fieldErrors ?? {} };
}
