import { defineConfig } from 'drizzle-kit';

// PostgreSQL (DATABASE_URL=postgres://…). The SQLite migrations come from drizzle-sqlite.config.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './lib/db/schema-pg.ts',
  out: './drizzle/pg',
  dbCredentials: { url: process.env.DATABASE_URL ?? '' },
});
