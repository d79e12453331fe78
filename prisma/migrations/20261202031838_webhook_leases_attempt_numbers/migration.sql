-- Webhook relay: leases become visible (replay refuses a delivery in flight; the per-endpoint cap counts leases of
-- every relay), attempt numbers become unique per delivery, and re-enabling an endpoint can find the merchant's
-- events it missed.

-- AlterTable
ALTER TABLE "webhook_deliveries" ADD COLUMN "leasedUntil" TIMESTAMPTZ(3);

-- Before this migration a replay of a delivery in flight could log two attempts with the same number. Renumber the
-- attempts of such deliveries in the order they happened (keeping every log row), and move the delivery's counter
-- past them, so the unique index below can be built.
WITH dup AS (
  SELECT DISTINCT "deliveryId" FROM "webhook_attempts" GROUP BY "deliveryId", "attempt" HAVING count(*) > 1
), renumbered AS (
  SELECT a."id", a."deliveryId", row_number() OVER (PARTITION BY a."deliveryId" ORDER BY a."createdAt", a."id") AS n
  FROM "webhook_attempts" a JOIN dup USING ("deliveryId")
), fixed AS (
  UPDATE "webhook_attempts" a SET "attempt" = r.n FROM renumbered r WHERE a."id" = r."id" AND a."attempt" <> r.n
)
UPDATE "webhook_deliveries" d SET "attempts" = m.n
FROM (SELECT "deliveryId", max(n) AS n FROM renumbered GROUP BY "deliveryId") m
WHERE d."id" = m."deliveryId" AND d."attempts" < m.n;

-- The unique index also serves what the old one did (a delivery's attempts, in order; cascading deletes).
DROP INDEX "webhook_attempts_deliveryId_createdAt_idx";
CREATE UNIQUE INDEX "webhook_attempts_deliveryId_attempt_key" ON "webhook_attempts"("deliveryId", "attempt");

-- CreateIndex
CREATE INDEX "outbox_events_merchantId_processedAt_idx" ON "outbox_events"("merchantId", "processedAt");

-- The per-endpoint cap counts an endpoint's leased deliveries on every claim. Partial: only rows a relay is sending
-- (or a crashed relay left leased) are in it, so the count never touches the endpoint's delivered history.
CREATE INDEX "webhook_deliveries_leased_endpoint_idx"
  ON "webhook_deliveries" ("endpointId")
  WHERE "leasedUntil" IS NOT NULL;
