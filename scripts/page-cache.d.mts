// Types for scripts/page-cache.mjs (plain JavaScript: scripts/server.mjs runs without a build).
import type { IncomingMessage, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export const PUBLIC_PAGES: Set<string>;
export const PERSONAL_PAGES: Set<string>;
export const TTL_MS: number;
export const MAX_ENTRIES: number;
export const MAX_PERSONAL_ENTRIES: number;
export function acceptsGzip(header?: string): boolean;
export function withPageCache(
  render: Handler,
  options?: {
    now?: () => number;
    personalKey?: (cookieHeader: string | undefined, path: string) => Promise<{ key: string } | { unavailable: string } | null>;
    hardening?: Record<string, string>;
  },
): Handler;
