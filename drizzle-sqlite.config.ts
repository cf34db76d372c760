import { defineConfig } from 'drizzle-kit';

// SQLite (the default). The PostgreSQL migrations come from drizzle-pg.config.ts; the two schemas
// are kept in step by tests/unit/schema-drift.test.ts.
export default defineConfig({
  dialect: 'sqlite',
  schema: './lib/db/schema-sqlite.ts',
  out: './drizzle/sqlite',
  dbCredentials: { url: process.env.DATABASE_URL ?? '.data/app.db' },
});
