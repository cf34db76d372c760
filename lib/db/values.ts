// The closed sets of values some text columns hold, shared by both schemas (schema-sqlite.ts,
// schema-pg.ts): one list to change, whichever engine runs.

/** What /account/security lists. */
export const SECURITY_EVENT_TYPES = [
  'account_created',
  'login',
  'login_failed',
  'logout',
  'profile_updated',
  'username_changed',
  'email_changed',
  'password_changed',
  'session_revoked',
  'other_sessions_revoked',
  'password_reset',
  'email_change_requested',
  'email_verified',
  'two_step_enabled',
  'two_step_disabled',
  'two_step_reset_by_operator',
  'recovery_codes_regenerated',
  'recovery_code_used',
  'second_step_failed',
  'reauthenticated',
  'passkey_added',
  'passkey_removed',
  'passkey_counter_refused',
  'identity_linked',
  'identity_unlinked',
] as const;

/** The providers a person may sign in with (lib/auth/providers.ts configures them). */
export const PROVIDER_IDS = ['github', 'google', 'oidc'] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

/** How a session was started: what the sessions list shows, and a login event's detail. */
export const SIGN_IN_METHODS = ['password', 'passkey', 'email_code', 'new_account', ...PROVIDER_IDS] as const;

/** What a WebAuthn challenge was made for (lib/auth/passkeys.ts). */
export const WEBAUTHN_PURPOSES = ['register', 'sign_in', 'reauthenticate'] as const;

/** What a one-time code is for. */
export const CODE_PURPOSES = ['password_reset', 'email_change', 'email_verification', 'email_verification_link'] as const;

export type SignInMethod = (typeof SIGN_IN_METHODS)[number];
