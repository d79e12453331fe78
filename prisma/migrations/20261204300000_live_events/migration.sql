-- Live event stream (server/live/): every fact the live pages show is a row of live_events, written by triggers in
-- the same transaction as the fact, so nothing can be announced that did not commit and no write path can forget
-- it. Readers (one hub per server instance) LISTEN on `live` as a wake-up and read `id > <last seen>`: the id is
-- the SSE event id, so a reconnecting browser resumes exactly where it stopped, on any instance.
-- "affiliateId" / "merchantId" say which affiliate / merchant may see the row (managers see every row); a row with
-- neither is for managers only. Clicks are not written per click: each instance inserts one summary row per
-- (second, affiliate, offer) it served. Rows older than an hour are pruned by the hubs.
CREATE TABLE "live_events" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "affiliateId" TEXT,
    "merchantId" TEXT,
    "data" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "live_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "live_events_createdAt_idx" ON "live_events" USING BRIN ("createdAt");

-- Each server instance's own measurements (the numbers /metrics exports), upserted every 2 s: the operations page
-- of any instance shows all of them.
CREATE TABLE "instance_snapshots" (
    "id" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "instance_snapshots_pkey" PRIMARY KEY ("id")
);

-- Postbacks: one event per postback_logs row (accepted, duplicate, rejected — with its reason). A new conversion's
-- event carries what the live attribution page shows: affiliate, link, offer, amounts, click time, touch path,
-- the fraud decision and its flags (the full explanations: the stream gives them to managers only). Fired at the
-- end of the postback's single statement, so the conversion, commission and flags its CTEs wrote are visible.
CREATE OR REPLACE FUNCTION live_postback_logged() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  conv jsonb;
  affiliate text;
BEGIN
  IF NEW."conversionId" IS NOT NULL THEN
    SELECT c."affiliateId", jsonb_build_object(
             'id', c.id, 'txnId', c."txnId", 'status', c.status,
             'affiliateId', c."affiliateId", 'affiliateName', a.name,
             'linkId', c."linkId", 'linkSlug', l.slug, 'offerId', c."offerId", 'offerName', o.name,
             'amountMinor', c."amountMinor", 'currency', c.currency,
             'clickedAt', c."clickedAt", 'createdAt', c."createdAt", 'touchPath', c."touchPath",
             'fraudScore', c."fraudScore", 'fraudDecision', c."fraudDecision",
             'commission', (SELECT jsonb_build_object('amountMinor', cm."amountMinor", 'currency', cm.currency,
                                                      'status', cm.status, 'heldReason', cm."heldReason")
                            FROM commissions cm WHERE cm."conversionId" = c.id AND cm.kind = 'COMMISSION'),
             'flags', (SELECT coalesce(jsonb_agg(jsonb_build_object('code', f.code, 'severity', f.severity, 'explanation', f.explanation)
                                                 ORDER BY f.severity DESC), '[]'::jsonb)
                       FROM fraud_flags f WHERE f."conversionId" = c.id))
      INTO affiliate, conv
      FROM conversions c
      JOIN affiliates a ON a.id = c."affiliateId"
      JOIN links l ON l.id = c."linkId"
      JOIN offers o ON o.id = c."offerId"
     WHERE c.id = NEW."conversionId";
  END IF;
  INSERT INTO live_events ("kind", "affiliateId", "merchantId", "data")
  VALUES ('postback',
          -- affiliates see their accepted sales, not the merchant's retries and refusals
          CASE WHEN NEW.outcome = 'ACCEPTED' THEN affiliate END,
          NEW."merchantId",
          jsonb_build_object('logId', NEW.id, 'outcome', NEW.outcome, 'reasonCode', NEW."reasonCode",
                             'message', NEW.message, 'httpStatus', NEW."httpStatus", 'txnId', NEW.params->>'txn_id',
                             'receivedAt', NEW."receivedAt", 'conversion', conv));
  PERFORM pg_notify('live', '');
  RETURN NULL;
END $$;

CREATE TRIGGER postback_logs_live
  AFTER INSERT ON "postback_logs"
  FOR EACH ROW EXECUTE FUNCTION live_postback_logged();

-- Commissions: held (at creation or later), approved, reversed, paid — one statement-level trigger per statement,
-- so the approval job's thousand-row UPDATE costs one INSERT … SELECT.
CREATE OR REPLACE FUNCTION live_commissions_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events ("kind", "affiliateId", "merchantId", "data")
  SELECT 'commission', n."affiliateId", o."merchantId",
         jsonb_build_object('commissionId', n.id, 'conversionId', n."conversionId", 'status', n.status, 'kind', n.kind,
                            'amountMinor', n."amountMinor", 'currency', n.currency, 'heldReason', n."heldReason")
    FROM new_rows n JOIN offers o ON o.id = n."offerId"
   WHERE n.status = 'HELD';
  IF FOUND THEN PERFORM pg_notify('live', ''); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER commissions_live_insert
  AFTER INSERT ON "commissions" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION live_commissions_inserted();

CREATE OR REPLACE FUNCTION live_commissions_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events ("kind", "affiliateId", "merchantId", "data")
  SELECT 'commission', n."affiliateId", o."merchantId",
         jsonb_build_object('commissionId', n.id, 'conversionId', n."conversionId", 'status', n.status, 'kind', n.kind,
                            'previous', old_rows.status, 'amountMinor', n."amountMinor", 'currency', n.currency,
                            'heldReason', n."heldReason")
    FROM new_rows n
    JOIN old_rows ON old_rows.id = n.id
    JOIN offers o ON o.id = n."offerId"
   WHERE n.status IS DISTINCT FROM old_rows.status;
  IF FOUND THEN PERFORM pg_notify('live', ''); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER commissions_live_update
  AFTER UPDATE ON "commissions" REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION live_commissions_updated();

-- Fraud flags (managers only: the explanations carry evidence), one event per conversion or click flagged.
CREATE OR REPLACE FUNCTION live_fraud_flags_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events ("kind", "data")
  SELECT 'fraud.flag',
         jsonb_build_object('conversionId', n."conversionId", 'commissionId', min(n."commissionId"), 'affiliateId', n."affiliateId",
                            'flags', jsonb_agg(jsonb_build_object('code', n.code, 'severity', n.severity, 'explanation', n.explanation)))
    FROM new_rows n
   GROUP BY n."conversionId", n."affiliateId";
  IF FOUND THEN PERFORM pg_notify('live', ''); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER fraud_flags_live
  AFTER INSERT ON "fraud_flags" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION live_fraud_flags_inserted();

-- Webhook attempts: delivered (2xx) or failed, for the merchant whose endpoint it was.
CREATE OR REPLACE FUNCTION live_webhook_attempts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events ("kind", "merchantId", "data")
  SELECT 'webhook', e."merchantId",
         jsonb_build_object('deliveryId', d.id, 'endpointId', e.id, 'eventType', d."eventType", 'attempt', n.attempt,
                            'statusCode', n."statusCode", 'latencyMs', n."latencyMs", 'error', n.error,
                            'delivered', coalesce(n."statusCode" BETWEEN 200 AND 299, false))
    FROM new_rows n
    JOIN webhook_deliveries d ON d.id = n."deliveryId"
    JOIN webhook_endpoints e ON e.id = d."endpointId";
  IF FOUND THEN PERFORM pg_notify('live', ''); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER webhook_attempts_live
  AFTER INSERT ON "webhook_attempts" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION live_webhook_attempts_inserted();

-- Payout runs (managers only): created, approved, paid, cancelled. Kept on its own (payouts are being reworked).
CREATE OR REPLACE FUNCTION live_payout_run_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN RETURN NULL; END IF;
  INSERT INTO live_events ("kind", "data")
  VALUES ('payout', jsonb_build_object('runId', NEW.id, 'status', NEW.status,
                                       'previous', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status::text END));
  PERFORM pg_notify('live', '');
  RETURN NULL;
END $$;

CREATE TRIGGER payout_runs_live
  AFTER INSERT OR UPDATE ON "payout_runs"
  FOR EACH ROW EXECUTE FUNCTION live_payout_run_changed();
