-- rollup_credit_week, kept by the credit facts' triggers (server/reporting/rollups.ts printed this).

LOCK TABLE credit_facts IN SHARE MODE;

CREATE TABLE rollup_credit_week (
  "week" date NOT NULL,
  "payee" text NOT NULL,
  "path" text[] NOT NULL,
  "commissionCurrency" char(3) NOT NULL,
  "saleCurrency" char(3) NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "commissionMinor" bigint NOT NULL DEFAULT 0,
  "saleMinor" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("week", "payee", "path", "commissionCurrency", "saleCurrency")
);
CREATE TABLE rollup_credit_week_delta (
  "week" date NOT NULL,
  "payee" text NOT NULL,
  "path" text[] NOT NULL,
  "commissionCurrency" char(3) NOT NULL,
  "saleCurrency" char(3) NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  "commissionMinor" bigint NOT NULL DEFAULT 0,
  "saleMinor" bigint NOT NULL DEFAULT 0
);

CREATE OR REPLACE FUNCTION rollup_credit_facts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_credit_day_delta ("day", "payee", "path", "commissionCurrency", "saleCurrency", "n", "commissionMinor", "saleMinor")
  SELECT r."day" AS "day", r."payee" AS "payee", r."path" AS "path", r."commissionCurrency" AS "commissionCurrency", r."saleCurrency" AS "saleCurrency", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."commissionMinor"))::bigint AS "commissionMinor", sum(r.sign * (r."saleMinor"))::bigint AS "saleMinor" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."commissionMinor")) <> 0 OR sum(r.sign * (r."saleMinor")) <> 0;
  INSERT INTO rollup_credit_week_delta ("week", "payee", "path", "commissionCurrency", "saleCurrency", "n", "commissionMinor", "saleMinor")
  SELECT date_trunc('week', r."day"::timestamp)::date AS "week", r."payee" AS "payee", r."path" AS "path", r."commissionCurrency" AS "commissionCurrency", r."saleCurrency" AS "saleCurrency", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."commissionMinor"))::bigint AS "commissionMinor", sum(r.sign * (r."saleMinor"))::bigint AS "saleMinor" FROM (SELECT 1 AS sign, * FROM new_rows) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."commissionMinor")) <> 0 OR sum(r.sign * (r."saleMinor")) <> 0;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION rollup_credit_facts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_credit_day_delta ("day", "payee", "path", "commissionCurrency", "saleCurrency", "n", "commissionMinor", "saleMinor")
  SELECT r."day" AS "day", r."payee" AS "payee", r."path" AS "path", r."commissionCurrency" AS "commissionCurrency", r."saleCurrency" AS "saleCurrency", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."commissionMinor"))::bigint AS "commissionMinor", sum(r.sign * (r."saleMinor"))::bigint AS "saleMinor" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."commissionMinor")) <> 0 OR sum(r.sign * (r."saleMinor")) <> 0;
  INSERT INTO rollup_credit_week_delta ("week", "payee", "path", "commissionCurrency", "saleCurrency", "n", "commissionMinor", "saleMinor")
  SELECT date_trunc('week', r."day"::timestamp)::date AS "week", r."payee" AS "payee", r."path" AS "path", r."commissionCurrency" AS "commissionCurrency", r."saleCurrency" AS "saleCurrency", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."commissionMinor"))::bigint AS "commissionMinor", sum(r.sign * (r."saleMinor"))::bigint AS "saleMinor" FROM (SELECT -1 AS sign, * FROM old_rows) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."commissionMinor")) <> 0 OR sum(r.sign * (r."saleMinor")) <> 0;
  RETURN NULL;
END $$;

INSERT INTO rollup_credit_week ("week", "payee", "path", "commissionCurrency", "saleCurrency", "n", "commissionMinor", "saleMinor")
SELECT date_trunc('week', r."day"::timestamp)::date AS "week", r."payee" AS "payee", r."path" AS "path", r."commissionCurrency" AS "commissionCurrency", r."saleCurrency" AS "saleCurrency", sum(r.sign * (1))::bigint AS "n", sum(r.sign * (r."commissionMinor"))::bigint AS "commissionMinor", sum(r.sign * (r."saleMinor"))::bigint AS "saleMinor" FROM (SELECT 1 AS sign, * FROM credit_facts) r GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.sign * (1)) <> 0 OR sum(r.sign * (r."commissionMinor")) <> 0 OR sum(r.sign * (r."saleMinor")) <> 0;
