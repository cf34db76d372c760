// Who is asking: client IP and user agent, as recorded on sessions. Edge-safe (headers only).

/**
 * `next start` fills x-forwarded-for with the socket address when the client sent none.
 * Deployments behind a proxy get the proxy's value; see docs/sessions.md for what that means.
 */
export function clientIp(headers: Headers): string | null {
  const first = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return first ? first.slice(0, 64) : null;
}

export function userAgent(headers: Headers): string | null {
  return headers.get('user-agent')?.slice(0, 512) ?? null;
}
