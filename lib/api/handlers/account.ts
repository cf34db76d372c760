import 'server-only';
import { changePassword } from '@/lib/account/password';
import { CODE_SENT, requestPasswordReset, resetPassword } from '@/lib/account/recovery';
import { createAccount } from '@/lib/account/register';
import { followRotatedSession } from '@/lib/auth/browser-session';
import { apiChangePasswordBody, apiForgotBody, apiRegisterBody, apiResetBody } from '@/lib/validation/api';
import { requireCaller } from '../auth';
import { readBody } from '../body';
import { failureError, json, noContent } from '../errors';
import type { Methods } from '../route';
import { accessTokenFor } from '../tokens';
import { toApiUser } from '../users';

export const register: Methods = {
  async POST(request) {
    const { password, ...profile } = await readBody(request, apiRegisterBody);
    const created = await createAccount(profile, password);
    if (!created.ok) throw failureError(created);
    return json({ user: toApiUser(created.user) }, 201);
  },
};

export const password: Methods = {
  /**
   * Changes the caller's password; every other session of theirs ends, and this one moves to a
   * new id: bearer callers get its new token in the body (the old one is refused from now on),
   * cookie callers new cookies.
   */
  async POST(request) {
    const caller = await requireCaller(request, { changesState: true });
    const body = await readBody(request, apiChangePasswordBody);
    const result = await changePassword(caller.user, caller.sessionId, body);
    if (!result.ok) throw failureError(result);
    if (caller.via === 'cookie') {
      await followRotatedSession(caller.user, result.session);
      return noContent();
    }
    return json(await accessTokenFor(caller.user, result.session.sessionId));
  },
};

export const forgotPassword: Methods = {
  /** Always the same 202, registered address or not, over the send limit or not. */
  async POST(request) {
    const { email } = await readBody(request, apiForgotBody);
    await requestPasswordReset(email);
    return json({ message: CODE_SENT }, 202);
  },
};

export const resetPasswordWithCode: Methods = {
  /** Sets a new password with the emailed code; every session of the person ends. */
  async POST(request) {
    const body = await readBody(request, apiResetBody);
    const result = await resetPassword(body);
    if (!result.ok) throw failureError(result);
    return noContent();
  },
};
