-- Click ids are time-ordered as byte strings (base64url alphabet in ASCII order). Under a linguistic collation
-- (en_US.UTF-8, the default of many servers) case and '-'/'_' sort differently, so new ids would land all over the
-- primary-key index instead of appending to it, and ORDER BY id would not be click order. "C" compares bytes.
-- Prisma's schema language cannot express a column collation; this migration is the source of truth for it.
ALTER TABLE "clicks" ALTER COLUMN "id" TYPE TEXT COLLATE "C";
