-- clicks becomes a table partitioned by month of "createdAt" (server/tracking/click-partitions.ts creates months
-- ahead and drops those past CLICK_RETENTION_DAYS). Every stored row is moved in this transaction; intake waits
-- for the lock (the click sink buffers and retries), so nothing acknowledged is lost.

-- One partition per calendar month (UTC) from the month of `first_day` to that of `last_day`, named clicks_pYYYY_MM;
-- months that have one already are left alone. Returns how many were created. The click sink copies into a month's
-- partition itself (PostgreSQL inserts row by row when a COPY into a partitioned table meets a statement trigger with
-- a transition table), so each partition gets the clicks rollup trigger too, once the rollups exist (20261204110000).
CREATE FUNCTION ensure_click_partitions(first_day date, last_day date) RETURNS int LANGUAGE plpgsql AS $$
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
      IF to_regproc('rollup_clicks_insert') IS NOT NULL THEN
        EXECUTE format('CREATE TRIGGER rollup_clicks_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
          'FOR EACH STATEMENT EXECUTE FUNCTION rollup_clicks_insert()', name);
      END IF;
      made := made + 1;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN made;
END $$;

LOCK TABLE clicks IN ACCESS EXCLUSIVE MODE;
ALTER TABLE clicks RENAME TO clicks_unpartitioned;
ALTER TABLE clicks_unpartitioned RENAME CONSTRAINT clicks_pkey TO clicks_unpartitioned_pkey;
ALTER INDEX "clicks_createdAt_idx" RENAME TO "clicks_unpartitioned_createdAt_idx";
ALTER INDEX "clicks_affiliateId_createdAt_idx" RENAME TO "clicks_unpartitioned_affiliateId_createdAt_idx";
ALTER INDEX "clicks_linkId_createdAt_idx" RENAME TO "clicks_unpartitioned_linkId_createdAt_idx";

CREATE TABLE "clicks" (
    "id" TEXT COLLATE "C" NOT NULL,
    "linkId" INTEGER NOT NULL,
    "affiliateId" TEXT NOT NULL,
    "offerId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,
    "referer" TEXT,
    "sub1" TEXT,
    "sub2" TEXT,
    "sub3" TEXT,
    "sub4" TEXT,
    "sub5" TEXT,
    "billable" BOOLEAN NOT NULL DEFAULT true,
    "isBot" BOOLEAN NOT NULL DEFAULT false,
    "isRepeat" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "clicks_pkey" PRIMARY KEY ("id", "createdAt")
) PARTITION BY RANGE ("createdAt");
CREATE INDEX "clicks_createdAt_idx" ON "clicks" USING BRIN ("createdAt" timestamptz_minmax_ops);
CREATE INDEX "clicks_affiliateId_createdAt_idx" ON "clicks"("affiliateId", "createdAt");
CREATE INDEX "clicks_linkId_createdAt_idx" ON "clicks"("linkId", "createdAt");

-- Every month from the oldest stored click (three months back at least: imports and backdated test data land
-- there) to two months ahead, and any later one a click is dated in.
SELECT ensure_click_partitions(
  (LEAST(min("createdAt"), now() - interval '3 months') AT TIME ZONE 'UTC')::date,
  (GREATEST(max("createdAt"), now() + interval '2 months') AT TIME ZONE 'UTC')::date
) FROM clicks_unpartitioned;

INSERT INTO clicks SELECT * FROM clicks_unpartitioned;
DROP TABLE clicks_unpartitioned;
