import { updateProfile } from '@/lib/account/profile';
import { requireCaller } from '@/lib/api/auth';
import { readBody } from '@/lib/api/body';
import { ApiError, json, tooManyRequests, validationFailed } from '@/lib/api/errors';
import { profileUpdateError } from '@/lib/api/profile';
import { apiRoute } from '@/lib/api/route';
import { requireOwnAccount } from '@/lib/api/users';
import { apiEmailChangeBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  /** Starts an email change: a code goes to the new address; the email changes when it is confirmed. */
  async POST(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { newEmail, currentPassword } = await readBody(request, apiEmailChangeBody);
    if (newEmail === caller.user.email) throw validationFailed({ newEmail: 'That is already your email.' });
    const result = await updateProfile(caller.user, { email: newEmail }, { currentPassword });
    if (result.ok) {
      return json({ message: `We sent a code to ${newEmail}. Confirm it with POST /api/v1/users/${caller.user.username}/email/confirm.` }, 202);
    }
    if (result.conflict) throw profileUpdateError(result);
    if (result.retryAfterSeconds) {
      throw tooManyRequests(result.retryAfterSeconds, result.fieldErrors.currentPassword ?? result.fieldErrors.email!);
    }
    if (result.notSent) throw new ApiError(503, 'mail_unavailable', result.fieldErrors.email!, { headers: { 'Retry-After': '60' } });
    // The form's field is `email`; this endpoint's is `newEmail`.
    const { email, ...fields } = result.fieldErrors;
    if (result.taken === 'email') throw new ApiError(409, 'email_taken', email!, { fields: { newEmail: email! } });
    throw validationFailed({ ...fields, ...(email ? { newEmail: email } : {}) });
  },
});
