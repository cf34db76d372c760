import { CODE_SENT, requestPasswordReset } from '@/lib/account/recovery';
import { readBody } from '@/lib/api/body';
import { json } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { apiForgotBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  /** Always the same 202, registered address or not, over the send limit or not. */
  async POST(request) {
    const { email } = await readBody(request, apiForgotBody);
    await requestPasswordReset(email);
    return json({ message: CODE_SENT }, 202);
  },
});
