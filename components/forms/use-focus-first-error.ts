'use client';

import { useEffect, type RefObject } from 'react';

/** After a failed submit, put keyboard and screen-reader focus on the first invalid field. */
export function useFocusFirstError(form: RefObject<HTMLFormElement | null>, triggers: unknown[]): void {
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [form, ...triggers]);
}
