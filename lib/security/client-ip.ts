import 'server-only';
import { headers } from 'next/headers';
import { clientIp } from '@/lib/request';

/** The IP of the client making this request (see scripts/server.mjs for where it comes from). */
export async function currentClientIp(): Promise<string> {
  return clientIp(await headers()) ?? 'unknown';
}
