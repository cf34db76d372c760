import type { CDPSession, Page } from 'playwright-core';

// Chromium's virtual authenticator, through the DevTools protocol's WebAuthn domain: a platform
// authenticator with discoverable credentials and user verification (a fingerprint that always
// matches), for this page. CDP speaks standard base64; WebAuthn and the server base64url.

export type VirtualAuthenticator = {
  cdp: CDPSession;
  id: string;
  /** The credentials it holds: id (base64url) and signature counter. */
  credentials(): Promise<{ id: string; signCount: number }[]>;
  /** Sets a credential's signature counter, e.g. backwards, as a cloned authenticator would report. */
  setSignCount(credentialId: string, signCount: number): Promise<void>;
  /** Whether it answers on its own (a person touching it); off, a request waits. */
  setPresence(automatic: boolean): Promise<void>;
};

export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId: id } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    id,
    async credentials() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id });
      return credentials.map((c) => ({ id: Buffer.from(c.credentialId, 'base64').toString('base64url'), signCount: c.signCount }));
    },
    async setSignCount(credentialId, signCount) {
      await cdp.send('WebAuthn.setCredentialProperties', { authenticatorId: id, credentialId: Buffer.from(credentialId, 'base64url').toString('base64'), signCount } as never);
    },
    async setPresence(automatic) {
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: id, enabled: automatic });
    },
  };
}
