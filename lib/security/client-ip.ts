import 'server-only';
import { requestHeaders } from '@/lib/request-scope';
import { ipKey } from './rate-limit';

// The one place that says who is asking. `npm start` (scripts/server.mjs) overwrites
// X-Forwarded-For with the socket's address, or the one the trusted proxies (TRUST_PROXY) saw, so
// its first entry is the real client.
const clientIp = (requestHeaders: Headers) => requestHeaders.get('x-forwarded-for')?.split(',')[0]?.trim().slice(0, 64) || null;
const userAgent = (requestHeaders: Headers) => requestHeaders.get('user-agent')?.slice(0, 512) ?? null;

export type Client = {
  /** The address as recorded on sessions and activity (scripts/server.mjs says where it comes from). */
  ip: string | null;
  /** What per-client limits count under (see ipKey). */
  limitKey: string;
  userAgent: string | null;
};

/** Who is making this request. */
export async function currentClient(): Promise<Client> {
  const sent = await requestHeaders();
  const ip = clientIp(sent);
  return { ip, limitKey: ipKey(ip), userAgent: userAgent(sent) };
}
