'use client';

import { useEffect, useState } from 'react';
import type { FormState } from '@/lib/forms';

/** Of two forms' answers, the one that came last: one status line for a pair of forms. */
export function useLatestAnswer(first: FormState, second: FormState): FormState {
  const [last, setLast] = useState<'first' | 'second'>('first');
  useEffect(() => {
    if (first.message) setLast('first');
  }, [first]);
  useEffect(() => {
    if (second.message) setLast('second');
  }, [second]);
  return last === 'second' ? second : first;
}
