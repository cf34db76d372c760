import { startEmailChange } from '@/lib/account/email-change';
import { requireCaller } from '@/lib/api/auth';
import { readBody } from '@/lib/api/body';
import { failureError, json, validationFailed } from '@/lib/api/errors';
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
    const started = await startEmailChange(caller.user, newEmail, currentPassword);
    if (!started.ok) {
      // The form's field is `email`; this endpoint's is `newEmail`.
      const { email, ...fields } = started.fields ?? {};
      throw failureError({ ...started, fields: started.fields && { ...fields, ...(email ? { newEmail: email } : {}) } });
    }
    return json({ message: `We sent a code to ${newEmail}. Confirm it with POST /api/v1/users/${caller.user.username}/email/confirm.` }, 202);
  },
});
