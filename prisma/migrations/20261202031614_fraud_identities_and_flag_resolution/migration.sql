-- Sign-in IPs of affiliates (self-referral checks), and how each fraud flag was closed.
ALTER TABLE "affiliates" ADD COLUMN     "signInIps" TEXT[] DEFAULT ARRAY[]::TEXT[];

ALTER TABLE "fraud_flags" ADD COLUMN     "resolution" TEXT;

-- The starter CIDR block list is seeded once, remembered by this row (server/fraud/starter-blocklist.ts). A database
-- that already has users was booted by an earlier version, which seeded it whenever it was empty: it counts as
-- seeded, so a list a manager emptied stays empty.
INSERT INTO "fraud_rule_configs" (code, enabled, severity, params, "updatedAt")
SELECT 'starter_blocklist', true, 0, jsonb_build_object('seededAt', now(), 'entries', (SELECT count(*) FROM "ip_blocks")), now()
WHERE EXISTS (SELECT 1 FROM "ip_blocks") OR EXISTS (SELECT 1 FROM "users")
ON CONFLICT (code) DO NOTHING;
