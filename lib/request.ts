// Who is asking: client IP and user agent, as recorded on sessions. Edge-safe (headers only).

/**
 * The client's address. `npm start` (scripts/server.mjs) overwrites X-Forwarded-For with the
 * socket's address, or the one the trusted proxies (TRUST_PROXY) saw, so this is the real client.
 */
export function clientIp(headers: Headers): string | null {
  const first = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return first ? first.slice(0, 64) : null;
}

export function userAgent(headers: Headers): string | null {
  return headers.get('user-agent')?.slice(0, 512) ?? null;
}
