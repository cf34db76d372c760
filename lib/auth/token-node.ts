import 'server-only';
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { sessionTokenVerifier, type Hs256 } from './token';

// Pages, actions and the API check a token on every request. Node's own HMAC does it in a few
// microseconds on the calling thread; Web Crypto (what token.ts must use for the Edge middleware)
// sends each check to the thread pool and back. Same rules, same results: see token.test.ts.
const nodeHs256: Hs256 = (raw) => {
  const key = createSecretKey(raw);
  return (signingInput, signature) =>
    signature.length === 32 && timingSafeEqual(createHmac('sha256', key).update(signingInput).digest(), signature);
};

export const verifySessionToken = sessionTokenVerifier(nodeHs256);
