-- The click sink adds its batches to the click rollups itself (server/tracking/click-writer.ts): it COPYs into the
-- month's partition and calls rollup_clicks_add() with the batch grouped per (link, minute) in the same transaction.
-- The partitions lose their rollup insert trigger, whose transition table cost about a quarter of the COPY's CPU;
-- every statement naming `clicks` is still counted by the parent's triggers. Deploy note: an app instance older
-- than this migration, still copying into partitions, would leave its clicks out of the rollups until
-- `npm run db:rebuild-rollups` — stop old instances before migrating (npm start migrates before it serves).

CREATE OR REPLACE FUNCTION rollup_clicks_add(integer[], text[], text[], timestamptz[], bigint[], bigint[], bigint[], bigint[]) RETURNS void LANGUAGE sql AS $$
  WITH fine AS MATERIALIZED (SELECT 1 AS sign, * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8) AS r("linkId", "affiliateId", "offerId", "minute", "n", "billable", "bots", "repeats")),
  d0 AS (INSERT INTO rollup_link_day_clicks_delta ("linkId", "day", "affiliateId", "offerId", "n", "billable", "bots", "repeats")
  SELECT r."linkId" AS "linkId", (r."minute" AT TIME ZONE 'UTC')::date AS "day", r."affiliateId" AS "affiliateId", r."offerId" AS "offerId", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable", sum(r.sign * (r."bots"))::bigint AS "bots", sum(r.sign * (r."repeats"))::bigint AS "repeats" FROM fine r GROUP BY 1, 2, 3, 4 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0 OR sum(r.sign * (r."bots")) <> 0 OR sum(r.sign * (r."repeats")) <> 0),
  d1 AS (INSERT INTO rollup_offer_day_clicks_delta ("offerId", "day", "n", "billable", "bots", "repeats")
  SELECT r."offerId" AS "offerId", (r."minute" AT TIME ZONE 'UTC')::date AS "day", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable", sum(r.sign * (r."bots"))::bigint AS "bots", sum(r.sign * (r."repeats"))::bigint AS "repeats" FROM fine r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0 OR sum(r.sign * (r."bots")) <> 0 OR sum(r.sign * (r."repeats")) <> 0),
  d2 AS (INSERT INTO rollup_affiliate_hour_clicks_delta ("affiliateId", "hour", "n", "billable")
  SELECT r."affiliateId" AS "affiliateId", date_trunc('hour', r."minute", 'UTC') AS "hour", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable" FROM fine r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0)
  INSERT INTO rollup_affiliate_minute_clicks_delta ("affiliateId", "minute", "n", "billable")
  SELECT r."affiliateId" AS "affiliateId", r."minute" AS "minute", sum(r.sign * (r."n"))::bigint AS "n", sum(r.sign * (r."billable"))::bigint AS "billable" FROM fine r GROUP BY 1, 2 HAVING sum(r.sign * (r."n")) <> 0 OR sum(r.sign * (r."billable")) <> 0;
$$;

CREATE OR REPLACE FUNCTION ensure_click_partitions(first_day date, last_day date) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  m date := date_trunc('month', first_day)::date;
  made int := 0;
  name text;
BEGIN
  WHILE m <= last_day LOOP
    name := format('clicks_p%s', to_char(m, 'YYYY_MM'));
    IF to_regclass(name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF clicks FOR VALUES FROM (%L) TO (%L)',
        name, m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
      made := made + 1;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN made;
END $$;

DO $$
DECLARE part regclass;
BEGIN
  FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'clicks'::regclass LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS rollup_clicks_insert ON %s', part);
  END LOOP;
END $$;
