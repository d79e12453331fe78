-- Rollups kept by triggers on the write path (server/reporting/rollups.ts printed this).

CREATE TABLE rollup_link_day_clicks (
  "linkId" integer NOT NULL,
  "day" date NOT NULL,
  "affiliateId" text NOT NULL,
  "offerId" text NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "billable" bigint NOT NULL DEFAULT 0,
  "bots" bigint NOT NULL DEFAULT 0,
  "repeats" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("linkId", "day", "affiliateId", "offerId")
);
CREATE INDEX rollup_link_day_clicks_affiliateId_day_idx ON rollup_link_day_clicks ("affiliateId", "day");
CREATE TABLE rollup_link_day_clicks_delta (
  "linkId" integer NOT NULL,
  "day" date NOT NULL,
  "affiliateId" text NOT NULL,
  "offerId" text NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "billable" bigint NOT NULL DEFAULT 0,
  "bots" bigint NOT NULL DEFAULT 0,
  "repeats" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_offer_day_clicks (
  "offerId" text NOT NULL,
  "day" date NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "billable" bigint NOT NULL DEFAULT 0,
  "bots" bigint NOT NULL DEFAULT 0,
  "repeats" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("offerId", "day")
);
CREATE TABLE rollup_offer_day_clicks_delta (
  "offerId" text NOT NULL,
  "day" date NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "billable" bigint NOT NULL DEFAULT 0,
  "bots" bigint NOT NULL DEFAULT 0,
  "repeats" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_affiliate_hour_clicks (
  "affiliateId" text NOT NULL,
  "hour" timestamptz(3) NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "billable" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("affiliateId", "hour")
);
CREATE INDEX rollup_affiliate_hour_clicks_hour_idx ON rollup_affiliate_hour_clicks ("hour");
CREATE TABLE rollup_affiliate_hour_clicks_delta (
  "affiliateId" text NOT NULL,
  "hour" timestamptz(3) NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "billable" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_affiliate_minute_clicks (
  "affiliateId" text NOT NULL,
  "minute" timestamptz(3) NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "billable" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("affiliateId", "minute")
);
CREATE INDEX rollup_affiliate_minute_clicks_minute_idx ON rollup_affiliate_minute_clicks ("minute");
CREATE TABLE rollup_affiliate_minute_clicks_delta (
  "affiliateId" text NOT NULL,
  "minute" timestamptz(3) NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "billable" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_link_day_conversions (
  "linkId" integer NOT NULL,
  "day" date NOT NULL,
  "affiliateId" text NOT NULL,
  "offerId" text NOT NULL,
  "merchantId" text NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "refunded" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("linkId", "day", "affiliateId", "offerId", "merchantId")
);
CREATE INDEX rollup_link_day_conversions_affiliateId_day_idx ON rollup_link_day_conversions ("affiliateId", "day");
CREATE TABLE rollup_link_day_conversions_delta (
  "linkId" integer NOT NULL,
  "day" date NOT NULL,
  "affiliateId" text NOT NULL,
  "offerId" text NOT NULL,
  "merchantId" text NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "refunded" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_offer_day_conversions (
  "offerId" text NOT NULL,
  "day" date NOT NULL,
  "merchantId" text NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "refunded" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("offerId", "day", "merchantId")
);
CREATE TABLE rollup_offer_day_conversions_delta (
  "offerId" text NOT NULL,
  "day" date NOT NULL,
  "merchantId" text NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "refunded" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_affiliate_day_conversions (
  "day" date NOT NULL,
  "affiliateId" text NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("day", "affiliateId")
);
CREATE TABLE rollup_affiliate_day_conversions_delta (
  "day" date NOT NULL,
  "affiliateId" text NOT NULL,
  "n" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_affiliate_week_conversions (
  "week" date NOT NULL,
  "affiliateId" text NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("week", "affiliateId")
);
CREATE TABLE rollup_affiliate_week_conversions_delta (
  "week" date NOT NULL,
  "affiliateId" text NOT NULL,
  "n" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_affiliate_hour_conversions (
  "affiliateId" text NOT NULL,
  "hour" timestamptz(3) NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("affiliateId", "hour")
);
CREATE INDEX rollup_affiliate_hour_conversions_hour_idx ON rollup_affiliate_hour_conversions ("hour");
CREATE TABLE rollup_affiliate_hour_conversions_delta (
  "affiliateId" text NOT NULL,
  "hour" timestamptz(3) NOT NULL,
  "n" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_affiliate_day_commissions (
  "affiliateId" text NOT NULL,
  "day" date NOT NULL,
  "offerId" text NOT NULL,
  "currency" char(3) NOT NULL,
  "status" "CommissionStatus" NOT NULL,
  "kind" "CommissionKind" NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "amountMinor" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("affiliateId", "day", "offerId", "currency", "status", "kind")
);
CREATE TABLE rollup_affiliate_day_commissions_delta (
  "affiliateId" text NOT NULL,
  "day" date NOT NULL,
  "offerId" text NOT NULL,
  "currency" char(3) NOT NULL,
  "status" "CommissionStatus" NOT NULL,
  "kind" "CommissionKind" NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "amountMinor" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_offer_day_commissions (
  "offerId" text NOT NULL,
  "day" date NOT NULL,
  "currency" char(3) NOT NULL,
  "status" "CommissionStatus" NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "amountMinor" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("offerId", "day", "currency", "status")
);
CREATE TABLE rollup_offer_day_commissions_delta (
  "offerId" text NOT NULL,
  "day" date NOT NULL,
  "currency" char(3) NOT NULL,
  "status" "CommissionStatus" NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "amountMinor" bigint NOT NULL DEFAULT 0
);

CREATE TABLE rollup_credit_day (
  "day" date NOT NULL,
  "payee" text NOT NULL,
  "path" text[] NOT NULL,
  "commissionCurrency" char(3) NOT NULL,
  "saleCurrency" char(3) NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "commissionMinor" bigint NOT NULL DEFAULT 0,
  "saleMinor" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("day", "payee", "path", "commissionCurrency", "saleCurrency")
);
CREATE TABLE rollup_credit_day_delta (
  "day" date NOT NULL,
  "payee" text NOT NULL,
  "path" text[] NOT NULL,
  "commissionCurrency" char(3) NOT NULL,
  "saleCurrency" char(3) NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "commissionMinor" bigint NOT NULL DEFAULT 0,
  "saleMinor" bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION rollup_clicks_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH fine AS MATERIALIZED (SELECT 1 AS sign, r."linkId" AS "linkId", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", date_trunc('minute', r."createdAt", 'UTC') AS "minute", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.billable THEN 1 ELSE 0 END))::bigint AS "billable", sum(r.sign * (CASE WHEN r."isBot" THEN 1 ELSE 0 END))::bigint AS "bots", sum(r.sign * (CASE WHEN r."isRepeat" THEN 1 ELSE 0 END))::bigint AS "repeats" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 2, 3, 4, 5),
  d0 AS (INSERT INTO rollup_link_day_clicks_delta ("linkId", "day", "affiliateId", "offerId", "n", "billable", "bots", "repeats")
  SELECT r."linkId" AS "linkId", (r."minute" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable", sum(r.sign * (r."bots"))::bigint AS "bots", sum(r.sign * (r."repeats"))::bigint AS "repeats" FROM fine r GROUP BY 1, 2, 3, 4 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0 OR sum(r.sign * (r."bots")) <> 0 OR sum(r.sign * (r."repeats")) <> 0),
  d1 AS (INSERT INTO rollup_offer_day_clicks_delta ("offerId", "day", "n", "billable", "bots", "repeats")
  SELECT r."offerId" AS "offerId", (r."minute" AT TIME ZONE 'UTC')::date AS "day", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable", sum(r.sign * (r."bots"))::bigint AS "bots", sum(r.sign * (r."repeats"))::bigint AS "repeats" FROM fine r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0 OR sum(r.sign * (r."bots")) <> 0 OR sum(r.sign * (r."repeats")) <> 0),
  d2 AS (INSERT INTO rollup_affiliate_hour_clicks_delta ("affiliateId", "hour", "n", "billable")
  SELECT r."affiliateId" AS "affiliateId", date_trunc('hour', r."minute", 'UTC') AS "hour", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable" FROM fine r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0)
  INSERT INTO rollup_affiliate_minute_clicks_delta ("affiliateId", "minute", "n", "billable")
  SELECT r."affiliateId" AS "affiliateId", r."minute" AS "minute", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable" FROM fine r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER rollup_clicks_insert AFTER INSERT ON clicks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_clicks_insert();
CREATE FUNCTION rollup_clicks_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH fine AS MATERIALIZED (SELECT 1 AS sign, r."linkId" AS "linkId", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", date_trunc('minute', r."createdAt", 'UTC') AS "minute", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.billable THEN 1 ELSE 0 END))::bigint AS "billable", sum(r.sign * (CASE WHEN r."isBot" THEN 1 ELSE 0 END))::bigint AS "bots", sum(r.sign * (CASE WHEN r."isRepeat" THEN 1 ELSE 0 END))::bigint AS "repeats" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 2, 3, 4, 5),
  d0 AS (INSERT INTO rollup_link_day_clicks_delta ("linkId", "day", "affiliateId", "offerId", "n", "billable", "bots", "repeats")
  SELECT r."linkId" AS "linkId", (r."minute" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable", sum(r.sign * (r."bots"))::bigint AS "bots", sum(r.sign * (r."repeats"))::bigint AS "repeats" FROM fine r GROUP BY 1, 2, 3, 4 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0 OR sum(r.sign * (r."bots")) <> 0 OR sum(r.sign * (r."repeats")) <> 0),
  d1 AS (INSERT INTO rollup_offer_day_clicks_delta ("offerId", "day", "n", "billable", "bots", "repeats")
  SELECT r."offerId" AS "offerId", (r."minute" AT TIME ZONE 'UTC')::date AS "day", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable", sum(r.sign * (r."bots"))::bigint AS "bots", sum(r.sign * (r."repeats"))::bigint AS "repeats" FROM fine r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0 OR sum(r.sign * (r."bots")) <> 0 OR sum(r.sign * (r."repeats")) <> 0),
  d2 AS (INSERT INTO rollup_affiliate_hour_clicks_delta ("affiliateId", "hour", "n", "billable")
  SELECT r."affiliateId" AS "affiliateId", date_trunc('hour', r."minute", 'UTC') AS "hour", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable" FROM fine r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0)
  INSERT INTO rollup_affiliate_minute_clicks_delta ("affiliateId", "minute", "n", "billable")
  SELECT r."affiliateId" AS "affiliateId", r."minute" AS "minute", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable" FROM fine r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER rollup_clicks_delete AFTER DELETE ON clicks REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_clicks_delete();

DO $$
DECLARE part regclass;
BEGIN
  FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'clicks'::regclass LOOP
    EXECUTE format('CREATE TRIGGER rollup_clicks_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_clicks_insert()', part);
  END LOOP;
END $$;

CREATE FUNCTION rollup_conversions_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_link_day_conversions_delta ("linkId", "day", "affiliateId", "offerId", "merchantId", "n", "refunded")
  SELECT r."linkId" AS "linkId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", r."merchantId" AS "merchantId", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END))::bigint AS "refunded" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END)) <> 0;
  INSERT INTO rollup_offer_day_conversions_delta ("offerId", "day", "merchantId", "n", "refunded")
  SELECT r."offerId" AS "offerId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."merchantId" AS "merchantId", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END))::bigint AS "refunded" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 1, 2, 3 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END)) <> 0;
  INSERT INTO rollup_affiliate_day_conversions_delta ("day", "affiliateId", "n")
  SELECT (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", sum(r.sign * (1))::bigint AS "n" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;
  INSERT INTO rollup_affiliate_week_conversions_delta ("week", "affiliateId", "n")
  SELECT date_trunc('week', r."createdAt" AT TIME ZONE 'UTC')::date AS "week", r."affiliateId" AS "affiliateId", sum(r.sign * (1))::bigint AS "n" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;
  INSERT INTO rollup_affiliate_hour_conversions_delta ("affiliateId", "hour", "n")
  SELECT r."affiliateId" AS "affiliateId", date_trunc('hour', r."createdAt", 'UTC') AS "hour", sum(r.sign * (1))::bigint AS "n" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER rollup_conversions_insert AFTER INSERT ON conversions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_conversions_insert();
CREATE FUNCTION rollup_conversions_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_link_day_conversions_delta ("linkId", "day", "affiliateId", "offerId", "merchantId", "n", "refunded")
  SELECT r."linkId" AS "linkId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", r."merchantId" AS "merchantId", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END))::bigint AS "refunded" FROM (SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END)) <> 0;
  INSERT INTO rollup_offer_day_conversions_delta ("offerId", "day", "merchantId", "n", "refunded")
  SELECT r."offerId" AS "offerId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."merchantId" AS "merchantId", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END))::bigint AS "refunded" FROM (SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END)) <> 0;
  INSERT INTO rollup_affiliate_day_conversions_delta ("day", "affiliateId", "n")
  SELECT (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", sum(r.sign * (1))::bigint AS "n" FROM (SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;
  INSERT INTO rollup_affiliate_week_conversions_delta ("week", "affiliateId", "n")
  SELECT date_trunc('week', r."createdAt" AT TIME ZONE 'UTC')::date AS "week", r."affiliateId" AS "affiliateId", sum(r.sign * (1))::bigint AS "n" FROM (SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;
  INSERT INTO rollup_affiliate_hour_conversions_delta ("affiliateId", "hour", "n")
  SELECT r."affiliateId" AS "affiliateId", date_trunc('hour', r."createdAt", 'UTC') AS "hour", sum(r.sign * (1))::bigint AS "n" FROM (SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER rollup_conversions_update AFTER UPDATE ON conversions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_conversions_update();
CREATE FUNCTION rollup_conversions_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_link_day_conversions_delta ("linkId", "day", "affiliateId", "offerId", "merchantId", "n", "refunded")
  SELECT r."linkId" AS "linkId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", r."merchantId" AS "merchantId", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END))::bigint AS "refunded" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END)) <> 0;
  INSERT INTO rollup_offer_day_conversions_delta ("offerId", "day", "merchantId", "n", "refunded")
  SELECT r."offerId" AS "offerId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."merchantId" AS "merchantId", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END))::bigint AS "refunded" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END)) <> 0;
  INSERT INTO rollup_affiliate_day_conversions_delta ("day", "affiliateId", "n")
  SELECT (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", sum(r.sign * (1))::bigint AS "n" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;
  INSERT INTO rollup_affiliate_week_conversions_delta ("week", "affiliateId", "n")
  SELECT date_trunc('week', r."createdAt" AT TIME ZONE 'UTC')::date AS "week", r."affiliateId" AS "affiliateId", sum(r.sign * (1))::bigint AS "n" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;
  INSERT INTO rollup_affiliate_hour_conversions_delta ("affiliateId", "hour", "n")
  SELECT r."affiliateId" AS "affiliateId", date_trunc('hour', r."createdAt", 'UTC') AS "hour", sum(r.sign * (1))::bigint AS "n" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER rollup_conversions_delete AFTER DELETE ON conversions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_conversions_delete();

CREATE FUNCTION rollup_commissions_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_affiliate_day_commissions_delta ("affiliateId", "day", "offerId", "currency", "status", "kind", "n", "amountMinor")
  SELECT r."affiliateId" AS "affiliateId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."offerId" AS "offerId", r."currency" AS "currency", r."status" AS "status", r."kind" AS "kind", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."amountMinor"))::bigint AS "amountMinor" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."amountMinor")) <> 0;
  INSERT INTO rollup_offer_day_commissions_delta ("offerId", "day", "currency", "status", "n", "amountMinor")
  SELECT r."offerId" AS "offerId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."currency" AS "currency", r."status" AS "status", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."amountMinor"))::bigint AS "amountMinor" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 1, 2, 3, 4 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."amountMinor")) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER rollup_commissions_insert AFTER INSERT ON commissions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_commissions_insert();
CREATE FUNCTION rollup_commissions_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_affiliate_day_commissions_delta ("affiliateId", "day", "offerId", "currency", "status", "kind", "n", "amountMinor")
  SELECT r."affiliateId" AS "affiliateId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."offerId" AS "offerId", r."currency" AS "currency", r."status" AS "status", r."kind" AS "kind", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."amountMinor"))::bigint AS "amountMinor" FROM (SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."amountMinor")) <> 0;
  INSERT INTO rollup_offer_day_commissions_delta ("offerId", "day", "currency", "status", "n", "amountMinor")
  SELECT r."offerId" AS "offerId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."currency" AS "currency", r."status" AS "status", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."amountMinor"))::bigint AS "amountMinor" FROM (SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3, 4 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."amountMinor")) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER rollup_commissions_update AFTER UPDATE ON commissions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_commissions_update();
CREATE FUNCTION rollup_commissions_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_affiliate_day_commissions_delta ("affiliateId", "day", "offerId", "currency", "status", "kind", "n", "amountMinor")
  SELECT r."affiliateId" AS "affiliateId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."offerId" AS "offerId", r."currency" AS "currency", r."status" AS "status", r."kind" AS "kind", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."amountMinor"))::bigint AS "amountMinor" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."amountMinor")) <> 0;
  INSERT INTO rollup_offer_day_commissions_delta ("offerId", "day", "currency", "status", "n", "amountMinor")
  SELECT r."offerId" AS "offerId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."currency" AS "currency", r."status" AS "status", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."amountMinor"))::bigint AS "amountMinor" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3, 4 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."amountMinor")) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER rollup_commissions_delete AFTER DELETE ON commissions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_commissions_delete();

CREATE TABLE credit_facts (
  "conversionId" text PRIMARY KEY,
  day date NOT NULL,
  payee text NOT NULL,
  path text[] NOT NULL,
  "commissionCurrency" char(3) NOT NULL,
  "commissionMinor" bigint NOT NULL,
  "saleCurrency" char(3) NOT NULL,
  "saleMinor" bigint NOT NULL
);
CREATE FUNCTION refresh_credit_facts(ids text[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM credit_facts WHERE "conversionId" IN (SELECT unnest(ids));
  INSERT INTO credit_facts ("conversionId", day, payee, path, "commissionCurrency", "commissionMinor", "saleCurrency", "saleMinor")
  SELECT * FROM (SELECT v.id AS "conversionId", (v."createdAt" AT TIME ZONE 'UTC')::date AS day, v."affiliateId" AS payee,
       ARRAY(SELECT e.touch->>'affiliateId' FROM jsonb_array_elements(v."touchPath") WITH ORDINALITY AS e(touch, i) ORDER BY e.i) AS path,
       k.currency AS "commissionCurrency", k."amountMinor"::bigint AS "commissionMinor", v.currency AS "saleCurrency", v."amountMinor"::bigint AS "saleMinor"
FROM conversions v JOIN commissions k ON k."conversionId" = v.id AND k.kind = 'COMMISSION' AND k.status <> 'REVERSED'
WHERE v.status <> 'REFUNDED') f WHERE f."conversionId" IN (SELECT unnest(ids));
$$;
CREATE FUNCTION credit_facts_from_conversions_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids text[] := ARRAY(SELECT id FROM new_rows);
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM refresh_credit_facts(ids); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER credit_facts_from_conversions_insert AFTER INSERT ON conversions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION credit_facts_from_conversions_insert();
CREATE FUNCTION credit_facts_from_conversions_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids text[] := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.status = 'REFUNDED') <> (o.status = 'REFUNDED') OR n."amountMinor" <> o."amountMinor" OR n.currency <> o.currency
                OR n."touchPath" <> o."touchPath" OR n."affiliateId" <> o."affiliateId" OR n."createdAt" <> o."createdAt");
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM refresh_credit_facts(ids); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER credit_facts_from_conversions_update AFTER UPDATE ON conversions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION credit_facts_from_conversions_update();
CREATE FUNCTION credit_facts_from_conversions_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids text[] := ARRAY(SELECT id FROM old_rows);
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM refresh_credit_facts(ids); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER credit_facts_from_conversions_delete AFTER DELETE ON conversions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION credit_facts_from_conversions_delete();
CREATE FUNCTION credit_facts_from_commissions_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids text[] := ARRAY(SELECT "conversionId" FROM new_rows WHERE kind = 'COMMISSION');
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM refresh_credit_facts(ids); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER credit_facts_from_commissions_insert AFTER INSERT ON commissions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION credit_facts_from_commissions_insert();
CREATE FUNCTION credit_facts_from_commissions_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids text[] := ARRAY(SELECT n."conversionId" FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.kind = 'COMMISSION' OR o.kind = 'COMMISSION') AND ((n.status = 'REVERSED') <> (o.status = 'REVERSED')
                OR n."amountMinor" <> o."amountMinor" OR n.currency <> o.currency OR n."conversionId" <> o."conversionId" OR n.kind <> o.kind)
             UNION SELECT o."conversionId" FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."conversionId" <> o."conversionId");
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM refresh_credit_facts(ids); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER credit_facts_from_commissions_update AFTER UPDATE ON commissions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION credit_facts_from_commissions_update();
CREATE FUNCTION credit_facts_from_commissions_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids text[] := ARRAY(SELECT "conversionId" FROM old_rows WHERE kind = 'COMMISSION');
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM refresh_credit_facts(ids); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER credit_facts_from_commissions_delete AFTER DELETE ON commissions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION credit_facts_from_commissions_delete();

CREATE FUNCTION rollup_credit_facts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_credit_day_delta ("day", "payee", "path", "commissionCurrency", "saleCurrency", "n", "commissionMinor", "saleMinor")
  SELECT r."day" AS "day", r."payee" AS "payee", r."path" AS "path", r."commissionCurrency" AS "commissionCurrency", r."saleCurrency" AS "saleCurrency", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."commissionMinor"))::bigint AS "commissionMinor", sum(r.sign * (r."saleMinor"))::bigint AS "saleMinor" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."commissionMinor")) <> 0 OR sum(r.sign * (r."saleMinor")) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER rollup_credit_facts_insert AFTER INSERT ON credit_facts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_credit_facts_insert();
CREATE FUNCTION rollup_credit_facts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_credit_day_delta ("day", "payee", "path", "commissionCurrency", "saleCurrency", "n", "commissionMinor", "saleMinor")
  SELECT r."day" AS "day", r."payee" AS "payee", r."path" AS "path", r."commissionCurrency" AS "commissionCurrency", r."saleCurrency" AS "saleCurrency", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."commissionMinor"))::bigint AS "commissionMinor", sum(r.sign * (r."saleMinor"))::bigint AS "saleMinor" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."commissionMinor")) <> 0 OR sum(r.sign * (r."saleMinor")) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER rollup_credit_facts_delete AFTER DELETE ON credit_facts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_credit_facts_delete();

-- What is already stored (the credit facts' own triggers fill their rollup's deltas).

INSERT INTO rollup_link_day_clicks ("linkId", "day", "affiliateId", "offerId", "n", "billable", "bots", "repeats")
SELECT r."linkId" AS "linkId", (r."minute" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable", sum(r.sign * (r."bots"))::bigint AS "bots", sum(r.sign * (r."repeats"))::bigint AS "repeats" FROM (SELECT 1 AS sign, r."linkId" AS "linkId", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", date_trunc('minute', r."createdAt", 'UTC') AS "minute", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.billable THEN 1 ELSE 0 END))::bigint AS "billable", sum(r.sign * (CASE WHEN r."isBot" THEN 1 ELSE 0 END))::bigint AS "bots", sum(r.sign * (CASE WHEN r."isRepeat" THEN 1 ELSE 0 END))::bigint AS "repeats" FROM (SELECT 1 AS sign, * FROM clicks) r GROUP BY 2, 3, 4, 5) r GROUP BY 1, 2, 3, 4 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0 OR sum(r.sign * (r."bots")) <> 0 OR sum(r.sign * (r."repeats")) <> 0;

INSERT INTO rollup_offer_day_clicks ("offerId", "day", "n", "billable", "bots", "repeats")
SELECT r."offerId" AS "offerId", (r."minute" AT TIME ZONE 'UTC')::date AS "day", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable", sum(r.sign * (r."bots"))::bigint AS "bots", sum(r.sign * (r."repeats"))::bigint AS "repeats" FROM (SELECT 1 AS sign, r."linkId" AS "linkId", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", date_trunc('minute', r."createdAt", 'UTC') AS "minute", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.billable THEN 1 ELSE 0 END))::bigint AS "billable", sum(r.sign * (CASE WHEN r."isBot" THEN 1 ELSE 0 END))::bigint AS "bots", sum(r.sign * (CASE WHEN r."isRepeat" THEN 1 ELSE 0 END))::bigint AS "repeats" FROM (SELECT 1 AS sign, * FROM clicks) r GROUP BY 2, 3, 4, 5) r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0 OR sum(r.sign * (r."bots")) <> 0 OR sum(r.sign * (r."repeats")) <> 0;

INSERT INTO rollup_affiliate_hour_clicks ("affiliateId", "hour", "n", "billable")
SELECT r."affiliateId" AS "affiliateId", date_trunc('hour', r."minute", 'UTC') AS "hour", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable" FROM (SELECT 1 AS sign, r."linkId" AS "linkId", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", date_trunc('minute', r."createdAt", 'UTC') AS "minute", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.billable THEN 1 ELSE 0 END))::bigint AS "billable", sum(r.sign * (CASE WHEN r."isBot" THEN 1 ELSE 0 END))::bigint AS "bots", sum(r.sign * (CASE WHEN r."isRepeat" THEN 1 ELSE 0 END))::bigint AS "repeats" FROM (SELECT 1 AS sign, * FROM clicks) r GROUP BY 2, 3, 4, 5) r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0;

INSERT INTO rollup_affiliate_minute_clicks ("affiliateId", "minute", "n", "billable")
SELECT r."affiliateId" AS "affiliateId", r."minute" AS "minute", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable" FROM (SELECT 1 AS sign, r."linkId" AS "linkId", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", date_trunc('minute', r."createdAt", 'UTC') AS "minute", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.billable THEN 1 ELSE 0 END))::bigint AS "billable", sum(r.sign * (CASE WHEN r."isBot" THEN 1 ELSE 0 END))::bigint AS "bots", sum(r.sign * (CASE WHEN r."isRepeat" THEN 1 ELSE 0 END))::bigint AS "repeats" FROM (SELECT 1 AS sign, * FROM clicks) r GROUP BY 2, 3, 4, 5) r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0;

INSERT INTO rollup_link_day_conversions ("linkId", "day", "affiliateId", "offerId", "merchantId", "n", "refunded")
SELECT r."linkId" AS "linkId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", r."merchantId" AS "merchantId", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END))::bigint AS "refunded" FROM (SELECT 1 AS sign, * FROM conversions) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END)) <> 0;

INSERT INTO rollup_offer_day_conversions ("offerId", "day", "merchantId", "n", "refunded")
SELECT r."offerId" AS "offerId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."merchantId" AS "merchantId", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END))::bigint AS "refunded" FROM (SELECT 1 AS sign, * FROM conversions) r GROUP BY 1, 2, 3 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (CASE WHEN r.status = 'REFUNDED' THEN 1 ELSE 0 END)) <> 0;

INSERT INTO rollup_affiliate_day_conversions ("day", "affiliateId", "n")
SELECT (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", sum(r.sign * (1))::bigint AS "n" FROM (SELECT 1 AS sign, * FROM conversions) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;

INSERT INTO rollup_affiliate_week_conversions ("week", "affiliateId", "n")
SELECT date_trunc('week', r."createdAt" AT TIME ZONE 'UTC')::date AS "week", r."affiliateId" AS "affiliateId", sum(r.sign * (1))::bigint AS "n" FROM (SELECT 1 AS sign, * FROM conversions) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;

INSERT INTO rollup_affiliate_hour_conversions ("affiliateId", "hour", "n")
SELECT r."affiliateId" AS "affiliateId", date_trunc('hour', r."createdAt", 'UTC') AS "hour", sum(r.sign * (1))::bigint AS "n" FROM (SELECT 1 AS sign, * FROM conversions) r GROUP BY 1, 2 HAVING sum(r.sign * (1)) <> 0;

INSERT INTO rollup_affiliate_day_commissions ("affiliateId", "day", "offerId", "currency", "status", "kind", "n", "amountMinor")
SELECT r."affiliateId" AS "affiliateId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."offerId" AS "offerId", r."currency" AS "currency", r."status" AS "status", r."kind" AS "kind", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."amountMinor"))::bigint AS "amountMinor" FROM (SELECT 1 AS sign, * FROM commissions) r GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."amountMinor")) <> 0;

INSERT INTO rollup_offer_day_commissions ("offerId", "day", "currency", "status", "n", "amountMinor")
SELECT r."offerId" AS "offerId", (r."createdAt" AT TIME ZONE 'UTC')::date AS "day", r."currency" AS "currency", r."status" AS "status", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."amountMinor"))::bigint AS "amountMinor" FROM (SELECT 1 AS sign, * FROM commissions) r GROUP BY 1, 2, 3, 4 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."amountMinor")) <> 0;

INSERT INTO credit_facts ("conversionId", day, payee, path, "commissionCurrency", "commissionMinor", "saleCurrency", "saleMinor")
SELECT v.id AS "conversionId", (v."createdAt" AT TIME ZONE 'UTC')::date AS day, v."affiliateId" AS payee,
       ARRAY(SELECT e.touch->>'affiliateId' FROM jsonb_array_elements(v."touchPath") WITH ORDINALITY AS e(touch, i) ORDER BY e.i) AS path,
       k.currency AS "commissionCurrency", k."amountMinor"::bigint AS "commissionMinor", v.currency AS "saleCurrency", v."amountMinor"::bigint AS "saleMinor"
FROM conversions v JOIN commissions k ON k."conversionId" = v.id AND k.kind = 'COMMISSION' AND k.status <> 'REVERSED'
WHERE v.status <> 'REFUNDED';
