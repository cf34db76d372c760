// Sign-in providers on loopback for the tests: an OpenID Connect provider (oauth2-mock-server:
// discovery, PKCE, signed ID tokens with the nonce it was given) and a GitHub-style OAuth2 one
// (authorize, access_token, /api/v3/user and /user/emails, as GitHub Enterprise Server lays them
// out). Both approve at once: the next person they "sign in" is whoever the test says.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Server } from 'oauth2-mock-server';

export type OidcPerson = {
  sub: string;
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
  preferred_username?: string;
};

export type OidcProvider = {
  issuer: string;
  /** Who signs in next, and any change to the ID token's claims (a wrong nonce, another issuer). */
  signInAs(person: OidcPerson, tamper?: (claims: Record<string, unknown>) => void): void;
  /** The next redirect back to the site carries a `state` changed on the way. */
  tamperWithNextState(): void;
  stop(): Promise<void>;
};

export async function startOidcProvider(): Promise<OidcProvider> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  let person: OidcPerson = { sub: 'nobody' };
  let tamper: ((claims: Record<string, unknown>) => void) | undefined;
  // Fired for the access token and the ID token alike: the ID token is the one without `scope`.
  server.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
    if (token.payload.scope !== undefined) return;
    Object.assign(token.payload, person);
    tamper?.(token.payload);
  });
  let tamperState = false;
  server.service.on('beforeAuthorizeRedirect', (redirect: { url: URL }) => {
    if (!tamperState) return;
    tamperState = false;
    const state = redirect.url.searchParams.get('state') ?? '';
    redirect.url.searchParams.set('state', `${state.slice(0, -4)}AAAA`);
  });
  return {
    tamperWithNextState() {
      tamperState = true;
    },
    // The mock names itself http://localhost:<port>.
    issuer: server.issuer.url!,
    signInAs(next, change) {
      person = next;
      tamper = change;
    },
    stop: () => server.stop(),
  };
}

export type GitHubEmail = { email: string; primary: boolean; verified: boolean };
export type GitHubPerson = { id: number; login: string; name?: string | null; email?: string | null; emails: GitHubEmail[] };

export type GitHubProvider = {
  /** AUTH_GITHUB_ENTERPRISE_URL for the server under test. */
  baseUrl: string;
  signInAs(person: GitHubPerson): void;
  stop(): Promise<void>;
};

export async function startGitHubProvider(): Promise<GitHubProvider> {
  let person: GitHubPerson = { id: 0, login: 'nobody', emails: [] };
  const codes = new Map<string, { challenge: string | null; person: GitHubPerson }>();
  const tokens = new Map<string, GitHubPerson>();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body = '';
    for await (const chunk of req) body += chunk;
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === '/login/oauth/authorize') {
      const code = randomBytes(12).toString('hex');
      codes.set(code, { challenge: url.searchParams.get('code_challenge_method') === 'S256' ? url.searchParams.get('code_challenge') : null, person });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { Location: back.href });
      return res.end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const saved = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier');
      // Like GitHub: 200 with an error for a bad code; the PKCE verifier must match.
      if (!saved || !verifier || createHash('sha256').update(verifier).digest('base64url') !== saved.challenge) return json(200, { error: 'bad_verification_code' });
      const token = `gho_${randomBytes(12).toString('hex')}`;
      tokens.set(token, saved.person);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const who = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!who) return json(401, { message: 'Bad credentials' });
    if (url.pathname === '/api/v3/user') return json(200, { id: who.id, login: who.login, name: who.name ?? null, email: who.email ?? null, avatar_url: null });
    if (url.pathname === '/api/v3/user/emails') return json(200, who.emails);
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    signInAs(next) {
      person = next;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
