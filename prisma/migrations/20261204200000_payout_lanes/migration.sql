-- CreateEnum
CREATE TYPE "PayoutBatchStatus" AS ENUM ('DRAFT', 'APPROVED', 'EXPORTED', 'SENT', 'SETTLED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "PayoutStatus" AS ENUM ('PENDING', 'SENT', 'PAID', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "TaxForm" AS ENUM ('W9', 'W8BEN');

-- AlterTable
ALTER TABLE "program_settings" ADD COLUMN     "defaultHoldingDays" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "payoutMinimums" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "payoutSchedule" TEXT NOT NULL DEFAULT 'monthly, NET-15';

-- AlterTable
ALTER TABLE "affiliates" ADD COLUMN     "payoutBlocker" TEXT DEFAULT 'no payout details or tax information on file',
ADD COLUMN     "payoutDetailsUpdatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "taxForm" "TaxForm",
ADD COLUMN     "taxInfo" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "payouts" ADD COLUMN     "batchId" TEXT,
ADD COLUMN     "commissionCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "commissionsSettledAt" TIMESTAMPTZ(3),
ADD COLUMN     "cutoff" TIMESTAMPTZ(3),
ADD COLUMN     "failedAt" TIMESTAMPTZ(3),
ADD COLUMN     "failureReason" TEXT,
ADD COLUMN     "number" BIGSERIAL NOT NULL,
ADD COLUMN     "paidAt" TIMESTAMPTZ(3),
ADD COLUMN     "recipient" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "recipientDetails" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "recipientName" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "sentAt" TIMESTAMPTZ(3),
ADD COLUMN     "status" "PayoutStatus" NOT NULL DEFAULT 'PENDING',
ALTER COLUMN "amountMinor" SET DATA TYPE BIGINT;

-- CreateTable
CREATE TABLE "payout_batches" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "runId" TEXT NOT NULL,
    "method" "PayoutMethod" NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" "PayoutBatchStatus" NOT NULL DEFAULT 'DRAFT',
    "payoutCount" INTEGER NOT NULL DEFAULT 0,
    "totalMinor" BIGINT NOT NULL DEFAULT 0,
    "approvedById" TEXT,
    "approvedAt" TIMESTAMPTZ(3),
    "exportedAt" TIMESTAMPTZ(3),
    "sentAt" TIMESTAMPTZ(3),
    "settledAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payout_batches_pkey" PRIMARY KEY ("id")
);

-- Existing runs: one batch per (run, method, currency); payouts of paid runs are paid, the others pending.
INSERT INTO "payout_batches" ("runId", "method", "currency", "status", "payoutCount", "totalMinor", "approvedById", "approvedAt", "sentAt", "settledAt", "createdAt")
SELECT p."runId", p."method", p."currency",
       (CASE r.status WHEN 'PAID' THEN 'SETTLED' WHEN 'APPROVED' THEN 'APPROVED' WHEN 'CANCELLED' THEN 'CANCELLED' ELSE 'DRAFT' END)::"PayoutBatchStatus",
       count(*)::int, sum(p."amountMinor"), r."approvedById", r."approvedAt", r."paidAt", r."paidAt", r."createdAt"
FROM "payouts" p JOIN "payout_runs" r ON r.id = p."runId"
GROUP BY p."runId", p."method", p."currency", r.status, r."approvedById", r."approvedAt", r."paidAt", r."createdAt";

UPDATE "payouts" p SET "batchId" = b.id,
       "status" = (CASE WHEN b.status = 'SETTLED' THEN 'PAID' ELSE 'PENDING' END)::"PayoutStatus",
       "sentAt" = b."sentAt", "paidAt" = b."settledAt",
       "cutoff" = (SELECT r."periodEnd" FROM "payout_runs" r WHERE r.id = p."runId"),
       "commissionsSettledAt" = CASE WHEN b.status = 'SETTLED' THEN b."settledAt" END
FROM "payout_batches" b WHERE b."runId" = p."runId" AND b."method" = p."method" AND b."currency" = p."currency";

-- Commission counts grouped in one pass (a count per payout would scan commissions once per payout: their
-- payoutId index is only created below).
UPDATE "payouts" p SET "commissionCount" = c.n
FROM (SELECT "payoutId", count(*)::int AS n FROM "commissions" WHERE "payoutId" IS NOT NULL GROUP BY 1) c
WHERE c."payoutId" = p.id;

ALTER TABLE "payouts" ALTER COLUMN "batchId" SET NOT NULL;
ALTER TABLE "payouts" ALTER COLUMN "cutoff" SET NOT NULL;

-- CreateTable
CREATE TABLE "payout_carryovers" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "runId" TEXT NOT NULL,
    "affiliateId" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "commissionCount" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "payout_carryovers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "payout_batches_runId_method_currency_key" ON "payout_batches"("runId", "method", "currency");

-- CreateIndex
CREATE INDEX "payout_carryovers_runId_idx" ON "payout_carryovers"("runId");

-- CreateIndex
CREATE INDEX "commissions_payoutId_idx" ON "commissions"("payoutId");

-- CreateIndex
CREATE UNIQUE INDEX "payouts_number_key" ON "payouts"("number");

-- CreateIndex
CREATE INDEX "payouts_batchId_number_idx" ON "payouts"("batchId", "number");

-- CreateIndex
CREATE INDEX "payouts_affiliateId_createdAt_idx" ON "payouts"("affiliateId", "createdAt");

-- CreateIndex
CREATE INDEX "payouts_affiliateId_currency_status_idx" ON "payouts"("affiliateId", "currency", "status");

-- AddForeignKey
ALTER TABLE "payout_batches" ADD CONSTRAINT "payout_batches_runId_fkey" FOREIGN KEY ("runId") REFERENCES "payout_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "payout_batches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payout_carryovers" ADD CONSTRAINT "payout_carryovers_runId_fkey" FOREIGN KEY ("runId") REFERENCES "payout_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payout_carryovers" ADD CONSTRAINT "payout_carryovers_affiliateId_fkey" FOREIGN KEY ("affiliateId") REFERENCES "affiliates"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

