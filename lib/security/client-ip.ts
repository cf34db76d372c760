import 'server-only';
import { headers } from 'next/headers';
import { clientIp, userAgent } from '@/lib/request';
import { ipKey } from './rate-limit';

export type Client = {
  /** The address as recorded on sessions and activity (scripts/server.mjs says where it comes from). */
  ip: string | null;
  /** What per-client limits count under (see ipKey). */
  limitKey: string;
  userAgent: string | null;
};

/** Who is making this request. */
export async function currentClient(): Promise<Client> {
  const requestHeaders = await headers();
  const ip = clientIp(requestHeaders);
  return { ip, limitKey: ipKey(ip), userAgent: userAgent(requestHeaders) };
}
