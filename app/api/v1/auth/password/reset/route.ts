import { resetPassword } from '@/lib/account/recovery';
import { readBody } from '@/lib/api/body';
import { failureError, noContent } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { apiResetBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  /** Sets a new password with the emailed code; every session of the person ends. */
  async POST(request) {
    const body = await readBody(request, apiResetBody);
    const result = await resetPassword(body);
    if (!result.ok) throw failureError(result);
    return noContent();
  },
});
