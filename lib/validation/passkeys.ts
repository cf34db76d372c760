// What a browser sends back from a WebAuthn ceremony (SimpleWebAuthn's JSON forms), checked before
// anything reads it: a server action is a public endpoint, and these arrive from script.
import { z } from 'zod';

const base64url = z.string().max(16_384).regex(/^[A-Za-z0-9_-]*$/);
const extensions = z.record(z.string(), z.unknown());
const attachment = z.enum(['platform', 'cross-platform']).optional();

export const registrationResponse = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    authenticatorData: base64url.optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url.optional(),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensions,
});

export const authenticationResponse = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensions,
});

export const passkeyName = z.string({ error: 'Name this passkey.' }).trim().min(1, 'Name this passkey.').max(64, 'Use at most 64 characters.');
