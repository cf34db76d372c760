import 'server-only';
import { z } from 'zod';
import { TOKEN_TTL_SECONDS } from '@/lib/auth/token';
import * as schemas from '@/lib/validation/api';
import { MAX_BODY_BYTES } from './body';

// The OpenAPI 3.1 document, generated from the zod schemas the handlers validate with, so the two
// cannot drift. A test compares its paths and methods with the router's (API_ROUTES in app.ts).

type Operation = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  auth: boolean;
  body?: z.ZodType;
  success: { status: number; description: string; schema?: z.ZodType };
  /** Another success answer, for an endpoint whose answer depends on a setting (registration). */
  alsoSuccess?: { status: number; description: string; schema?: z.ZodType };
  errors: number[];
  /** An error answer with a body of its own (the first step's `mfa_required` carries an `mfa_token`). */
  specialError?: { status: number; description: string; schema: z.ZodType };
};

const USERNAME = { name: 'username', in: 'path', required: true, schema: { type: 'string' }, description: 'Your own username (any case).' };

const MFA_REQUIRED = {
  status: 401,
  description: 'The account has two-step verification on (`mfa_required`, this body): send its `mfa_token` with a code to POST /auth/token/mfa. From POST /auth/token also wrong credentials (`invalid_credentials`, the standard error body)',
  schema: schemas.apiMfaRequiredResponse,
};

export const operations: Operation[] = [
  { method: 'post', path: '/auth/register', summary: 'Create an account', auth: false, body: schemas.apiRegisterBody, success: { status: 202, description: 'EMAIL_VERIFICATION=required (the default): a code was sent to verify the address — the same answer when the address already has an account (its owner gets a notice instead; nothing is created)', schema: schemas.apiVerificationSentResponse }, alsoSuccess: { status: 201, description: 'EMAIL_VERIFICATION=optional or off: created (409 `email_taken` for a registered address)', schema: schemas.apiUserResponse }, errors: [400, 409, 413, 415, 422, 429, 503] },
  { method: 'post', path: '/auth/email/verify', summary: 'Verify the address with the emailed code, and log in', auth: false, body: schemas.apiVerifyEmailBody, success: { status: 200, description: `Verified: a bearer token valid for ${TOKEN_TTL_SECONDS} s, tied to a new session (as from POST /auth/token). A wrong, used or expired code is 400 \`invalid_code\``, schema: schemas.apiTokenResponse }, errors: [400, 413, 415, 422, 429, 503], specialError: MFA_REQUIRED },
  { method: 'post', path: '/auth/email/verify/resend', summary: 'Mail a new verification code (the same answer for every address)', auth: false, body: schemas.apiResendVerificationBody, success: { status: 202, description: 'Always this answer; a code goes only to an account waiting for verification, within the limits', schema: schemas.apiMessageResponse }, errors: [400, 413, 415, 422, 503] },
  { method: 'post', path: '/auth/token', summary: 'Log in: trade email-or-username and password for an access token', auth: false, body: schemas.apiTokenBody, success: { status: 200, description: `A bearer token valid for ${TOKEN_TTL_SECONDS} s, tied to a new session`, schema: schemas.apiTokenResponse }, errors: [400, 403, 413, 415, 422, 429, 503], specialError: MFA_REQUIRED },
  { method: 'post', path: '/auth/token/mfa', summary: 'The second step of a login with two-step verification on: the mfa_token and a code from the authenticator app, or a recovery code', auth: false, body: schemas.apiSecondStepBody, success: { status: 200, description: 'As POST /auth/token; `recoveryCodesLeft` when a recovery code was used. A wrong code is 401 `invalid_code` (the mfa_token stays usable within its 5 tries); an expired, used or unknown mfa_token 401 `invalid_token`', schema: schemas.apiSecondStepResponse }, errors: [400, 401, 413, 415, 422, 429, 503] },
  { method: 'post', path: '/auth/logout', summary: 'End the session of this token', auth: true, success: { status: 204, description: 'The token is refused from now on' }, errors: [401, 403, 503] },
  { method: 'get', path: '/me', summary: 'The caller’s profile, its second factors and its connected sign-in providers', auth: true, success: { status: 200, description: 'OK', schema: schemas.apiMeResponse }, errors: [401, 503] },
  { method: 'patch', path: '/users/{username}', summary: 'Change some profile fields (not the email)', auth: true, body: schemas.apiPatchProfileBody, success: { status: 200, description: 'Updated; `access_token` replaces the old token when the username changed', schema: schemas.apiUserWithTokenResponse }, errors: [400, 401, 403, 409, 413, 415, 422, 429, 503] },
  { method: 'put', path: '/users/{username}', summary: 'Replace the profile (the email must stay the same)', auth: true, body: schemas.apiPutProfileBody, success: { status: 200, description: 'Replaced, with a fresh `access_token` for bearer callers', schema: schemas.apiUserWithTokenResponse }, errors: [400, 401, 403, 409, 413, 415, 422, 429, 503] },
  { method: 'delete', path: '/users/{username}', summary: 'Delete the account and everything that belongs to it (`password`, or `code` from the authenticator app; neither is 403 `reauthentication_required`)', auth: true, body: schemas.apiDeleteBody, success: { status: 204, description: 'Deleted' }, errors: [400, 401, 403, 413, 415, 422, 429, 503] },
  { method: 'post', path: '/users/{username}/email', summary: 'Start an email change: a code goes to the new address (the same answer for an address that has an account; its owner is told instead). Proof: `currentPassword`, or `code` from the authenticator app; neither is 403 `reauthentication_required`', auth: true, body: schemas.apiEmailChangeBody, success: { status: 202, description: 'Code sent', schema: schemas.apiMessageResponse }, errors: [400, 401, 403, 413, 415, 422, 429, 503] },
  { method: 'post', path: '/users/{username}/email/confirm', summary: 'Confirm the email change with the code', auth: true, body: schemas.apiEmailConfirmBody, success: { status: 200, description: 'The email is now the new one', schema: schemas.apiUserResponse }, errors: [400, 401, 403, 409, 413, 415, 422, 503] },
  { method: 'post', path: '/users/{username}/two-step', summary: 'Start setting up an authenticator app (recent authentication, or `currentPassword`/`code` in the body)', auth: true, body: schemas.apiStartTwoStepBody, success: { status: 201, description: 'The key and otpauth URI for the app; nothing changes until POST …/two-step/confirm', schema: schemas.apiTwoStepSetupResponse }, errors: [400, 401, 403, 409, 413, 415, 422, 429, 503] },
  { method: 'post', path: '/users/{username}/two-step/confirm', summary: 'Turn two-step verification on with the app’s current code', auth: true, body: schemas.apiConfirmTwoStepBody, success: { status: 200, description: 'On; the ten recovery codes, shown this once', schema: schemas.apiRecoveryCodesResponse }, errors: [400, 401, 403, 409, 413, 415, 422, 503] },
  { method: 'post', path: '/users/{username}/two-step/recovery-codes', summary: 'Replace the recovery codes (recent authentication, or `currentPassword`/`code`)', auth: true, body: schemas.apiRecoveryCodesBody, success: { status: 200, description: 'Ten new codes, shown this once; the old ones stop working', schema: schemas.apiRecoveryCodesResponse }, errors: [400, 401, 403, 409, 413, 415, 422, 429, 503] },
  { method: 'delete', path: '/users/{username}/two-step', summary: 'Turn two-step verification off with a current code or a recovery code (recent authentication, or `currentPassword`)', auth: true, body: schemas.apiDisableTwoStepBody, success: { status: 204, description: 'Off; the recovery codes are gone' }, errors: [400, 401, 403, 409, 413, 415, 422, 429, 503] },
  { method: 'post', path: '/auth/password', summary: 'Change the password; every other session ends and this one moves to a new token', auth: true, body: schemas.apiChangePasswordBody, success: { status: 200, description: 'Changed: the new token for this session (the old one is refused from now on); a cookie caller gets 204 and new cookies', schema: schemas.apiAccessTokenResponse }, errors: [400, 401, 403, 413, 415, 422, 429, 503] },
  { method: 'post', path: '/auth/password/forgot', summary: 'Mail a reset code (the same answer for every address)', auth: false, body: schemas.apiForgotBody, success: { status: 202, description: 'Always this answer', schema: schemas.apiMessageResponse }, errors: [400, 413, 415, 422, 503] },
  { method: 'post', path: '/auth/password/reset', summary: 'Set a new password with the emailed code; every session ends', auth: false, body: schemas.apiResetBody, success: { status: 204, description: 'Changed' }, errors: [400, 413, 415, 422, 429, 503] },
  { method: 'get', path: '/openapi.json', summary: 'This document', auth: false, success: { status: 200, description: 'OpenAPI 3.1' }, errors: [] },
];

const ERROR_TEXT: Record<number, string> = {
  400: 'The body is not valid JSON (`invalid_json`), or (POST /auth/email/verify) `invalid_code`',
  401: 'No token, or one that is invalid, expired or whose session ended (see WWW-Authenticate)',
  403: 'Not your account, a cookie-authenticated request from another site, `reauthentication_required` (a sensitive change from a session whose last authentication is over 10 minutes old: send `currentPassword` or `code`), or (POST /auth/token, EMAIL_VERIFICATION=required) `email_unverified`: the right password for an account whose address is not verified yet; a new code was sent',
  404: 'No such route',
  405: 'Method not allowed (see Allow)',
  409: 'Username or email taken; or (two-step) already on, or not on',
  413: `Body over ${MAX_BODY_BYTES / 1024} KB`,
  415: 'Body is not application/json',
  422: 'Validation failed (`fields` says why, per field; unknown fields are refused)',
  429: 'Too many requests (see Retry-After)',
  503: 'The database is out of reach (`unavailable`), mail could not be sent (`mail_unavailable`), or the server is busy hashing passwords (`busy`); see Retry-After',
};

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

let built: object | undefined;

export function openApiDocument(): object {
  if (built) return built;
  const paths: Record<string, Record<string, object>> = {};
  for (const op of operations) {
    const responses: Record<string, object> = {};
    for (const success of [op.success, op.alsoSuccess]) {
      if (!success) continue;
      responses[success.status] = {
        description: success.description,
        ...(success.schema ? { content: { 'application/json': { schema: jsonSchema(success.schema) } } } : {}),
      };
    }
    for (const status of op.errors) {
      responses[status] = { description: ERROR_TEXT[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    if (op.specialError) {
      const { status, description, schema } = op.specialError;
      responses[status] = { description, content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/Error' }, jsonSchema(schema)] } } } };
    }
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      ...(op.path.includes('{username}') ? { parameters: [USERNAME] } : {}),
      ...(op.auth ? { security: [{ bearer: [] }] } : { security: [] }),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body) } } } } : {}),
      responses,
    };
  }
  built = {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse API',
      version: '1.0.0',
      description:
        'Accounts for non-browser clients. Authenticate with `Authorization: Bearer <access_token>` from POST /auth/token. ' +
        'Tokens are HS256 JWTs tied to a server-side session: logout, password changes and resets end them.',
    },
    servers: [{ url: '/api/v1' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(schemas.apiErrorResponse) },
    },
  };
  return built;
}
