import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/pg-core';
import { CODE_PURPOSES, PROVIDER_IDS, SECURITY_EVENT_TYPES, SIGN_IN_METHODS, WEBAUTHN_PURPOSES } from './values';

// The PostgreSQL twin of ./schema.ts: same tables, columns, keys and indexes, and the same
// TypeScript row types, so queries can be written once. tests/unit/schema-drift.test.ts keeps them
// in step; change both files together.

// timestamptz read and written as Date, like the SQLite schema's integer 'timestamp_ms'.
const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable(
  'users',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    username: text('username').notNull(),
    email: text('email').notNull().unique(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    dateOfBirth: text('date_of_birth').notNull(),
    passwordHash: text('password_hash').notNull(),
    emailVerifiedAt: time('email_verified_at'),
    verifyBy: time('verify_by'),
    createdAt: time('created_at').notNull(),
    updatedAt: time('updated_at').notNull(),
  },
  (t) => [uniqueIndex('users_username_lower_unique').on(sql`lower(${t.username})`)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    refreshHash: text('refresh_hash').unique(),
    previousRefreshHash: text('previous_refresh_hash'),
    refreshRotatedAt: time('refresh_rotated_at'),
    refreshExpiresAt: time('refresh_expires_at'),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAt: time('created_at').notNull(),
    lastSeenAt: time('last_seen_at').notNull(),
    expiresAt: time('expires_at').notNull(),
    revokedAt: time('revoked_at'),
    authenticatedAt: time('authenticated_at'),
    method: text('method', { enum: SIGN_IN_METHODS }),
    confirmedAt: time('confirmed_at'),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId), index('sessions_previous_refresh_hash_idx').on(t.previousRefreshHash)],
);

export const securityEvents = pgTable(
  'security_events',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type', { enum: SECURITY_EVENT_TYPES }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    detail: text('detail'),
    createdAt: time('created_at').notNull(),
  },
  (t) => [index('security_events_user_id_created_at_idx').on(t.userId, t.createdAt)],
);

export const oneTimeCodes = pgTable(
  'one_time_codes',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: CODE_PURPOSES }).notNull(),
    email: text('email').notNull(),
    codeHash: text('code_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: time('created_at').notNull(),
    expiresAt: time('expires_at').notNull(),
    usedAt: time('used_at'),
  },
  (t) => [
    index('one_time_codes_email_purpose_idx').on(t.email, t.purpose, t.createdAt),
    index('one_time_codes_user_purpose_idx').on(t.userId, t.purpose, t.createdAt),
  ],
);

export const totpFactors = pgTable('totp_factors', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secret: text('secret').notNull(),
  createdAt: time('created_at').notNull(),
  confirmedAt: time('confirmed_at'),
  lastStep: integer('last_step'),
});

export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: time('created_at').notNull(),
  },
  (t) => [uniqueIndex('recovery_codes_user_code_unique').on(t.userId, t.codeHash)],
);

export const loginChallenges = pgTable(
  'login_challenges',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    remember: integer('remember').notNull(),
    passwordHash: text('password_hash'),
    method: text('method', { enum: SIGN_IN_METHODS }),
    attempts: integer('attempts').notNull().default(0),
    createdAt: time('created_at').notNull(),
    expiresAt: time('expires_at').notNull(),
    usedAt: time('used_at'),
  },
  (t) => [index('login_challenges_user_id_idx').on(t.userId)],
);

export const passkeys = pgTable(
  'passkeys',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userHandle: text('user_handle').notNull(),
    name: text('name').notNull(),
    publicKey: text('public_key').notNull(),
    // bigint: a counter is a 32-bit unsigned number.
    counter: bigint('counter', { mode: 'number' }).notNull(),
    transports: text('transports').notNull(),
    backedUp: integer('backed_up').notNull(),
    createdAt: time('created_at').notNull(),
    lastUsedAt: time('last_used_at'),
  },
  (t) => [index('passkeys_user_id_idx').on(t.userId), index('passkeys_user_handle_idx').on(t.userHandle)],
);

export const webauthnChallenges = pgTable('webauthn_challenges', {
  id: text('id').primaryKey(),
  purpose: text('purpose', { enum: WEBAUTHN_PURPOSES }).notNull(),
  userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
  createdAt: time('created_at').notNull(),
  expiresAt: time('expires_at').notNull(),
});

/**
 * Exactly the table RateLimiterPostgres would create (key varchar(255) primary key, points integer
 * not null default 0, expire bigint), so it runs with `tableCreated: true`. `expire` is ms since
 * the epoch, past 2^31: bigint, read as a number.
 */
export const rateLimits = pgTable('rate_limits', {
  key: varchar('key', { length: 255 }).primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
});

export const identities = pgTable(
  'identities',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: PROVIDER_IDS }).notNull(),
    subject: text('subject').notNull(),
    email: text('email'),
    emailVerified: integer('email_verified').notNull(),
    linkedAt: time('linked_at').notNull(),
    lastUsedAt: time('last_used_at'),
  },
  (t) => [uniqueIndex('identities_provider_subject_unique').on(t.provider, t.subject), uniqueIndex('identities_user_provider_unique').on(t.userId, t.provider)],
);
