import { resetPassword } from '@/lib/account/recovery';
import { readBody } from '@/lib/api/body';
import { noContent, tooManyRequests, validationFailed } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { INVALID_CODE } from '@/lib/auth/otp';
import { apiResetBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  /** Sets a new password with the emailed code; every session of the person ends. */
  async POST(request) {
    const body = await readBody(request, apiResetBody);
    const result = await resetPassword(body);
    if (!result.ok && result.retryAfterSeconds) throw tooManyRequests(result.retryAfterSeconds, result.fieldErrors.code!);
    if (!result.ok) throw validationFailed(result.fieldErrors, result.fieldErrors.code ? INVALID_CODE : undefined);
    return noContent();
  },
});
