import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { logIn } from '@/lib/auth/login';
import { passSecondStep } from '@/lib/auth/sign-in';
import { revokeSession } from '@/lib/db/queries/sessions';
import { apiSecondStepBody, apiTokenBody } from '@/lib/validation/api';
import { requireCaller } from '../auth';
import { readBody } from '../body';
import { ApiError, failureError, json, noContent } from '../errors';
import type { Methods } from '../route';
import { signInResponse, tokenBody } from '../tokens';

export const token: Methods = {
  async POST(request) {
    const { login, password } = await readBody(request, apiTokenBody);
    // One answer whether the account exists or not (the same bcrypt work is done either way).
    const attempt = await logIn({ login, password, remember: false });
    if (!attempt.ok) throw failureError(attempt);
    return signInResponse(attempt);
  },
};

export const secondStep: Methods = {
  /** The second step: a wrong code is 401 `invalid_code` (the mfa_token stays usable within its tries). */
  async POST(request) {
    const { mfa_token, code } = await readBody(request, apiSecondStepBody);
    const passed = await passSecondStep(mfa_token, code);
    if (!passed.ok && passed.kind === 'invalid') throw new ApiError(401, 'invalid_code', passed.message);
    if (!passed.ok) throw failureError(passed);
    const left = passed.used.kind === 'recovery_code' ? { recoveryCodesLeft: passed.used.left } : {};
    return json({ ...(await tokenBody(passed.loggedIn)), ...left });
  },
};

export const logout: Methods = {
  async POST(request) {
    const caller = await requireCaller(request, { changesState: true });
    await revokeSession(caller.sessionId, new Date());
    await recordSecurityEvent(caller.user.id, 'logout');
    return noContent();
  },
};
