-- Webhook relay indexes that Prisma's schema cannot express (partial) or that only the relay and the merchant's
-- delivery log need.

-- Claims go endpoint by endpoint ("the oldest due pending deliveries of endpoint X"), so one endpoint's backlog is
-- never scanned while claiming for another. Partial: delivered rows (nearly all of them) are not in it.
CREATE INDEX "webhook_deliveries_pending_endpoint_due_idx"
  ON "webhook_deliveries" ("endpointId", "nextAttemptAt")
  WHERE "status" = 'PENDING';

-- The merchant's delivery log: newest first per endpoint, keyset-paginated on (createdAt, id).
CREATE INDEX "webhook_deliveries_endpoint_created_idx"
  ON "webhook_deliveries" ("endpointId", "createdAt" DESC, "id" DESC);
