import 'server-only';
import { changePassword } from '@/lib/account/password';
import { CODE_SENT, requestPasswordReset, resetPassword } from '@/lib/account/recovery';
import { sessionEnded } from '@/lib/account/failure';
import { createAccount } from '@/lib/account/register';
import { VERIFICATION_CODE_SENT, requestVerificationCode, verificationMode, verifyEmailWithCode } from '@/lib/account/verification';
import { signIn } from '@/lib/auth/sign-in';
import { followRotatedSession } from '@/lib/auth/browser-session';
import {
  apiChangePasswordBody,
  apiForgotBody,
  apiRegisterBody,
  apiResendVerificationBody,
  apiResetBody,
  apiVerifyEmailBody,
} from '@/lib/validation/api';
import { requireCaller } from '../auth';
import { readBody } from '../body';
import { ApiError, failureError, json, noContent } from '../errors';
import type { Methods } from '../route';
import { accessTokenFor, signInResponse } from '../tokens';
import { toApiUser } from '../users';

export const register: Methods = {
  /**
   * `required` mode: 202 for a new address and a registered one alike (the owner of a registered
   * one gets a mail instead of a code); a taken username is still a 409. Otherwise 201 with the
   * user, and 409 for a registered address.
   */
  async POST(request) {
    const { password, ...profile } = await readBody(request, apiRegisterBody);
    const created = await createAccount(profile, password);
    if (!created.ok) throw failureError(created);
    if (verificationMode() === 'required') {
      return json({ status: 'verification_sent', message: `We sent a code to ${profile.email}. Verify it with POST /api/v1/auth/email/verify.` }, 202);
    }
    // Only `required` mode answers a registered address without an account.
    return json({ user: toApiUser(created.user!) }, 201);
  },
};

export const verifyEmail: Methods = {
  /** The code from the mail: the address is verified, and the caller gets a token as from POST /auth/token. */
  async POST(request) {
    const { email, code } = await readBody(request, apiVerifyEmailBody);
    const result = await verifyEmailWithCode(email, code);
    if (!result.ok && result.kind === 'invalid') throw new ApiError(400, 'invalid_code', result.message, { fields: result.fields });
    if (!result.ok) throw failureError(result);
    const signedIn = await signIn(result.user, { remember: false, method: 'email_code' });
    if (!signedIn.ok) throw failureError(sessionEnded());
    return signInResponse(signedIn);
  },
};

export const resendVerification: Methods = {
  /** Always the same 202: a code goes out only to an account waiting for verification, within the limits. */
  async POST(request) {
    const { email } = await readBody(request, apiResendVerificationBody);
    await requestVerificationCode(email);
    return json({ message: VERIFICATION_CODE_SENT }, 202);
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
