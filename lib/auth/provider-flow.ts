import 'server-only';
import { z } from 'zod';
import { PROVIDER_IDS } from '@/lib/db/values';
import { requestCookie, responseCookies } from '@/lib/request-scope';
import { newIdentityCookieName, PROVIDER_FLOW_MAX_AGE_SECONDS, providerIntentCookieName, setProviderFlowCookie } from './cookies';
import { seal, unseal } from './sealed';

// What a browser carries between the halves of a provider sign-in, sealed (AES-256-GCM) so only
// the server reads or makes it: why it went to the provider (the intent), and afterwards a new
// account waiting for its last fields. Auth.js's own cookies carry the protocol's checks.

const intent = z.object({
  /** login: sign in or create an account; connect: link to the signed-in account; reauth: "Confirm it's you". */
  mode: z.enum(['login', 'connect', 'reauth']),
  provider: z.enum(PROVIDER_IDS),
  next: z.string(),
  remember: z.boolean(),
  /** connect and reauth: the session that asked, which must be the one that comes back. */
  sessionId: z.string().nullable(),
  /** When the browser was sent to the provider (seconds): a confirmation must be a sign-in there since. */
  startedAt: z.number(),
  /** The flow's `state`: the return must carry this very one (an intent kept from another flow is worth nothing). */
  state: z.string(),
  expires: z.number(),
});
export type ProviderIntent = Omit<z.infer<typeof intent>, 'expires'>;

const newIdentity = z.object({
  provider: z.enum(PROVIDER_IDS),
  subject: z.string(),
  email: z.string(),
  suggested: z.object({ username: z.string().optional(), firstName: z.string().optional(), lastName: z.string().optional() }),
  next: z.string(),
  remember: z.boolean(),
  expires: z.number(),
});
/** A provider's verified account with no local account for its address: the finish page's input. */
export type NewIdentity = Omit<z.infer<typeof newIdentity>, 'expires'>;

async function write(name: string, label: string, value: object | null): Promise<void> {
  const expires = Math.floor(Date.now() / 1000) + PROVIDER_FLOW_MAX_AGE_SECONDS;
  setProviderFlowCookie(await responseCookies(), name, value && seal('provider-sign-in', label, JSON.stringify({ ...value, expires })));
}

async function read<T extends { expires: number }>(name: string, label: string, schema: z.ZodType<T>): Promise<Omit<T, 'expires'> | null> {
  const value = await requestCookie(name);
  const plain = value ? unseal('provider-sign-in', label, value) : null;
  if (!plain) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(plain));
    if (!parsed.success || parsed.data.expires <= Date.now() / 1000) return null;
    const { expires: _expires, ...rest } = parsed.data;
    return rest;
  } catch {
    return null;
  }
}

export const rememberProviderIntent = (value: ProviderIntent | null) => write(providerIntentCookieName(), 'intent/v1', value);
export const providerIntent = () => read(providerIntentCookieName(), 'intent/v1', intent);
export const rememberNewIdentity = (value: NewIdentity | null) => write(newIdentityCookieName(), 'new-identity/v1', value);
export const pendingNewIdentity = () => read(newIdentityCookieName(), 'new-identity/v1', newIdentity);
