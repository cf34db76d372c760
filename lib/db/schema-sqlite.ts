import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { CODE_PURPOSES, PROVIDER_IDS, SECURITY_EVENT_TYPES, SIGN_IN_METHODS, WEBAUTHN_PURPOSES } from './values';

// Times are stored as integer milliseconds since the epoch (mode 'timestamp_ms').
export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // Shown as typed; uniqueness is on lower(username) (usernames are ASCII letters and digits).
    username: text('username').notNull(),
    // Stored trimmed and lower-cased, so a plain unique index is case-insensitive.
    email: text('email').notNull().unique(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    // Calendar date, YYYY-MM-DD: a birthday has no time zone.
    dateOfBirth: text('date_of_birth').notNull(),
    // An account made through a sign-in provider has no password until its owner sets one: then
    // this holds '!' and random characters, which no password hashes to (lib/auth/password.ts).
    passwordHash: text('password_hash').notNull(),
    // When the person proved they read mail at `email`: a verification code or link, a reset by
    // code, a confirmed email change (each a code sent there). Null until then.
    emailVerifiedAt: integer('email_verified_at', { mode: 'timestamp_ms' }),
    // A sign-up under EMAIL_VERIFICATION=required: deleted if still unverified at this time. Null
    // for accounts made in the other modes, which work unverified and are kept.
    verifyBy: integer('verify_by', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('users_username_lower_unique').on(sql`lower(${t.username})`)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    // Random 128-bit id, carried in the JWT as `sid`.
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // SHA-256 of the refresh token ("Keep me signed in" only); the token itself is never stored.
    refreshHash: text('refresh_hash').unique(),
    // The hash it replaced, honoured briefly so two tabs refreshing at once don't log each other out.
    previousRefreshHash: text('previous_refresh_hash'),
    refreshRotatedAt: integer('refresh_rotated_at', { mode: 'timestamp_ms' }),
    refreshExpiresAt: integer('refresh_expires_at', { mode: 'timestamp_ms' }),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    // Absolute end of the session, however active it is.
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    // When the person last proved who they are in this session (the login's password, passkey or
    // second step; a later "Confirm it's you"): sensitive changes need it recent. Null for sessions
    // from before this column, which count as not recent.
    authenticatedAt: integer('authenticated_at', { mode: 'timestamp_ms' }),
    /** How the session was started (the sessions list shows it). Null for sessions from before this column. */
    method: text('method', { enum: SIGN_IN_METHODS }),
    // When "Confirm it's you" last passed in this session (not its sign-in): an account without a
    // password changes its email or is deleted only within 10 minutes of one (lib/auth/step-up.ts).
    confirmedAt: integer('confirmed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId), index('sessions_previous_refresh_hash_idx').on(t.previousRefreshHash)],
);

/** What /account/security lists. Never holds passwords, codes or tokens. */
export const securityEvents = sqliteTable(
  'security_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type', { enum: SECURITY_EVENT_TYPES }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** What else the entry names: a login's method, the provider of a connected account. */
    detail: text('detail'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('security_events_user_id_created_at_idx').on(t.userId, t.createdAt)],
);

/** One-time codes sent by mail (password reset, email change, email verification and its link). Only an HMAC of the code is kept. */
export const oneTimeCodes = sqliteTable(
  'one_time_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: CODE_PURPOSES }).notNull(),
    /** The address the code was sent to (for an email change: the new address). */
    email: text('email').notNull(),
    codeHash: text('code_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    /** Set when the code is used, or replaced by a newer one. */
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('one_time_codes_email_purpose_idx').on(t.email, t.purpose, t.createdAt),
    index('one_time_codes_user_purpose_idx').on(t.userId, t.purpose, t.createdAt),
  ],
);

/**
 * An authenticator app (TOTP, RFC 6238), one per account. Lives while two-step verification is on;
 * a setup that was never confirmed (`confirmedAt` null) is replaced by the next one and deleted by
 * the retention job after an hour.
 */
export const totpFactors = sqliteTable('totp_factors', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The shared secret, sealed with AES-256-GCM under the 'totp-secret' key (lib/auth/sealed.ts). */
  secret: text('secret').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  confirmedAt: integer('confirmed_at', { mode: 'timestamp_ms' }),
  /** The 30-second step of the last code accepted: only a later step is accepted (no replay). */
  lastStep: integer('last_step'),
});

/**
 * Recovery codes, ten per account with two-step verification, stored as an HMAC. A row lives until
 * it is used (deleted in the same statement that accepts it), replaced, or two-step verification
 * is turned off.
 */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('recovery_codes_user_code_unique').on(t.userId, t.codeHash)],
);

/**
 * A first step that passed (a password, a reset by code, a verified address) waiting for the
 * second: 5 minutes, used once, 5 wrong codes. The token (in a cookie, or the API's `mfa_token`)
 * is stored as an HMAC. Deleted by the retention job once expired.
 */
export const loginChallenges = sqliteTable(
  'login_challenges',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** 1 for "Keep me signed in". */
    remember: integer('remember').notNull(),
    /** The hash the password was checked against: the session starts only while it is current. Null after a reset. */
    passwordHash: text('password_hash'),
    /** How the first step was passed: the session's method once the second passes. */
    method: text('method', { enum: SIGN_IN_METHODS }),
    attempts: integer('attempts').notNull().default(0),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('login_challenges_user_id_idx').on(t.userId)],
);

/**
 * Passkeys (WebAuthn credentials). A row lives until the person removes it, the operator resets
 * the account's sign-in methods, or the account is deleted.
 */
export const passkeys = sqliteTable(
  'passkeys',
  {
    /** The credential id, base64url, as the authenticator made it. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The WebAuthn user handle (random, base64url): the same for every passkey of the account. */
    userHandle: text('user_handle').notNull(),
    name: text('name').notNull(),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    /** The signature counter last seen; 0 for authenticators that don't count (synced passkeys). */
    counter: integer('counter').notNull(),
    /** Comma-separated transports the authenticator reported (usb, internal, hybrid…). */
    transports: text('transports').notNull(),
    /** Whether the passkey may be synced to other devices (backup eligible), and is. */
    backedUp: integer('backed_up').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('passkeys_user_id_idx').on(t.userId), index('passkeys_user_handle_idx').on(t.userHandle)],
);

/**
 * A WebAuthn challenge, made for one ceremony and used once (deleted as it is checked); 5
 * minutes; the retention job deletes the ones never used. `userId` for ceremonies of a signed-in
 * person (adding a passkey, "Confirm it's you"); null for a sign-in, where nobody is known yet.
 */
export const webauthnChallenges = sqliteTable('webauthn_challenges', {
  /** The challenge itself, base64url (32 random bytes). */
  id: text('id').primaryKey(),
  purpose: text('purpose', { enum: WEBAUTHN_PURPOSES }).notNull(),
  userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
});

export type CodePurpose = (typeof oneTimeCodes.$inferSelect)['purpose'];
export type SecurityEventType = (typeof securityEvents.$inferSelect)['type'];

/**
 * Rate-limit counters, kept by rate-limiter-flexible (its RateLimiterSQLite layout), in the same
 * database so limits hold across restarts and across processes sharing the file.
 */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  /** Unix time in ms when the window ends; null for no expiry. */
  expire: integer('expire'),
});

/**
 * An account at a sign-in provider (GitHub, Google, the site's OpenID Connect provider) linked to
 * a person: one per provider per person, one person per (provider, subject). A row lives until its owner
 * disconnects it or the account is deleted. No provider tokens are kept.
 */
export const identities = sqliteTable(
  'identities',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: PROVIDER_IDS }).notNull(),
    /** The provider's stable id for the account (OIDC `sub`, GitHub's numeric id). */
    subject: text('subject').notNull(),
    /** The address the provider gave at the last sign-in, and whether it said it was verified. */
    email: text('email'),
    emailVerified: integer('email_verified').notNull(),
    linkedAt: integer('linked_at', { mode: 'timestamp_ms' }).notNull(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('identities_provider_subject_unique').on(t.provider, t.subject), uniqueIndex('identities_user_provider_unique').on(t.userId, t.provider)],
);
