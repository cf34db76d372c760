import { NextResponse, type NextRequest } from 'next/server';
import { verifyEmailWithLink } from '@/lib/account/verification';
import { isDatabaseUnavailable, logUnavailable } from '@/lib/db/client';
import { loginUrl } from '@/lib/routes';
import { unavailablePage } from '@/lib/unavailable';

// A relative Location (see /auth/refresh): the browser's own host keeps its cookies.
function redirectTo(path: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { Location: path, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } });
}

// The link in a verification mail. It verifies the address and nothing more: it starts no session,
// since it may be opened on another device, or fetched by a mail scanner before the person sees
// it. The person then logs in (or, already signed in, lands on their account). A wrong, used or
// expired link goes to the code page with one message.
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  const linkId = Number(params.get('c'));
  const token = params.get('t') ?? '';
  if (!Number.isSafeInteger(linkId) || linkId <= 0) return redirectTo('/verify-email?reason=link');
  try {
    const result = await verifyEmailWithLink(linkId, token);
    if (!result.ok) return redirectTo('/verify-email?reason=link');
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    logUnavailable('action', error);
    return unavailablePage(request.nextUrl.pathname + request.nextUrl.search);
  }
  return redirectTo(loginUrl('/account?verified=1', 'verified'));
}
