import 'server-only';
import { confirmTotpSetup, disableTwoStep, regenerateRecoveryCodes, startTotpSetup } from '@/lib/account/two-step';
import { apiConfirmTwoStepBody, apiDisableTwoStepBody, apiRecoveryCodesBody, apiStartTwoStepBody } from '@/lib/validation/api';
import { requireCaller } from '../auth';
import { readBody } from '../body';
import { failureError, json, noContent } from '../errors';
import type { Methods } from '../route';
import { requireOwnAccount } from '../users';

// Two-step verification for API clients: the same use-cases as /account/security. A session that
// last authenticated more than 10 minutes ago sends `currentPassword` or `code` along, or gets
// 403 `reauthentication_required`.

const proofOf = (body: { currentPassword?: string; code?: string }) => ({ password: body.currentPassword, code: body.code });

export const twoStep: Methods = {
  /** Starts a setup: the key and URI for the app; nothing changes until POST …/confirm. */
  async POST(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const started = await startTotpSetup(caller, proofOf(await readBody(request, apiStartTwoStepBody)));
    if (!started.ok) throw failureError(started);
    return json(started.setup, 201);
  },

  /** Turns it off, with a current code or a recovery code. */
  async DELETE(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { code, currentPassword } = await readBody(request, apiDisableTwoStepBody);
    const disabled = await disableTwoStep(caller, code, { password: currentPassword });
    if (!disabled.ok) throw failureError(disabled);
    return noContent();
  },
};

export const twoStepConfirm: Methods = {
  /** The app's first code turns it on; the answer holds the recovery codes, shown this once. */
  async POST(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { code } = await readBody(request, apiConfirmTwoStepBody);
    const confirmed = await confirmTotpSetup(caller, code);
    if (!confirmed.ok) throw failureError(confirmed);
    return json({ recoveryCodes: confirmed.recoveryCodes });
  },
};

export const recoveryCodes: Methods = {
  /** Ten new recovery codes; the old ones stop working. */
  async POST(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const made = await regenerateRecoveryCodes(caller, proofOf(await readBody(request, apiRecoveryCodesBody)));
    if (!made.ok) throw failureError(made);
    return json({ recoveryCodes: made.recoveryCodes });
  },
};
