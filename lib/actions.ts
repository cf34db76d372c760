import 'server-only';
import { HashingBusyError } from '@/lib/auth/password';
import type { FormState } from '@/lib/forms';

export const BUSY_MESSAGE = 'The server is busy right now, and nothing was changed. Please try again in a few seconds.';

/**
 * A form action that may hash a password: when the hashing queue is full, the person reads that
 * the server is busy (nothing was checked or changed) instead of getting an error page.
 */
export function hashingAction<State extends FormState>(action: (state: State, formData: FormData) => Promise<State>) {
  return async (state: State, formData: FormData): Promise<State> => {
    try {
      return await action(state, formData);
    } catch (error) {
      if (error instanceof HashingBusyError) return { status: 'error', message: BUSY_MESSAGE } as State;
      throw error;
    }
  };
}
