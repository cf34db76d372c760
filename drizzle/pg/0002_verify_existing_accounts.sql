-- Custom SQL migration file, put your code below! --
-- Accounts made before email verification existed count as verified: they have been reachable at
-- their address as far as anyone knows (docs/account.md, "Verified email").
UPDATE "users" SET "email_verified_at" = "created_at" WHERE "email_verified_at" IS NULL;
