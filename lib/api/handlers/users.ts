import 'server-only';
import { deleteAccount } from '@/lib/account/delete';
import { confirmEmailChange, startEmailChange } from '@/lib/account/email-change';
import { updateProfile } from '@/lib/account/profile';
import { listIdentities } from '@/lib/db/queries/identities';
import {
  EMAIL_THROUGH_CONFIRMATION,
  apiDeleteBody,
  apiEmailChangeBody,
  apiEmailConfirmBody,
  apiPatchProfileBody,
  apiPutProfileBody,
} from '@/lib/validation/api';
import { requireCaller, requireCallerWithSummary } from '../auth';
import { readBody } from '../body';
import { failureError, json, noContent, validationFailed } from '../errors';
import { freshToken } from '../profile';
import type { Methods } from '../route';
import { requireOwnAccount, toApiUser } from '../users';

export const me: Methods = {
  async GET(request) {
    const { user, summary } = await requireCallerWithSummary(request);
    const { identities, ...mfa } = summary;
    const linked = identities > 0 ? await listIdentities(user.id) : [];
    return json({ user: toApiUser(user), mfa, identities: linked.map((i) => ({ provider: i.provider, email: i.email, linkedAt: i.linkedAt.toISOString() })) });
  },
};

export const user: Methods = {
  /** Partial update: only the fields sent change. */
  async PATCH(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { email: _never, ...changes } = await readBody(request, apiPatchProfileBody);
    const result = await updateProfile(caller.user, changes);
    if (!result.ok) throw failureError(result);
    const token = result.changed.includes('username') ? await freshToken(caller, result.user, true) : {};
    return json({ user: toApiUser(result.user), ...token });
  },

  /** Full replace: every field; the email must stay what it is. */
  async PUT(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { email, ...profile } = await readBody(request, apiPutProfileBody);
    if (email !== caller.user.email) throw validationFailed({ email: EMAIL_THROUGH_CONFIRMATION });
    const result = await updateProfile(caller.user, profile);
    if (!result.ok) throw failureError(result);
    return json({ user: toApiUser(result.user), ...(await freshToken(caller, result.user, result.changed.includes('username'))) });
  },

  async DELETE(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { password, code } = await readBody(request, apiDeleteBody);
    const deleted = await deleteAccount(caller.user, { password, code });
    if (!deleted.ok) throw failureError(deleted);
    return noContent();
  },
};

export const emailChange: Methods = {
  /** Starts an email change: a code goes to the new address; the email changes when it is confirmed. */
  async POST(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { newEmail, currentPassword, code } = await readBody(request, apiEmailChangeBody);
    if (newEmail === caller.user.email) throw validationFailed({ newEmail: 'That is already your email.' });
    const started = await startEmailChange(caller.user, newEmail, { password: currentPassword, code });
    if (!started.ok) {
      // The form's field is `email`; this endpoint's is `newEmail`.
      const { email, ...fields } = started.fields ?? {};
      throw failureError({ ...started, fields: started.fields && { ...fields, ...(email ? { newEmail: email } : {}) } });
    }
    return json({ message: `We sent a code to ${newEmail}. Confirm it with POST /api/v1/users/${caller.user.username}/email/confirm.` }, 202);
  },
};

export const emailConfirm: Methods = {
  async POST(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { code } = await readBody(request, apiEmailConfirmBody);
    const result = await confirmEmailChange(caller.user, code);
    if (!result.ok) throw failureError(result);
    return json({ user: toApiUser(result.user) });
  },
};
