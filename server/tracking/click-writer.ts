// The click sink's database edge: one INSERT … SELECT FROM unnest(column arrays) per batch, so a batch of any size
// is one statement with 16 parameters (no per-row placeholders, no createMany). ON CONFLICT DO NOTHING makes a
// retried batch harmless when its first attempt committed but the answer was lost.
import type pg from "pg";
import type { ClickWriter } from "./click-sink";
import type { ClickRecord } from "./redirect";

const INSERT_CLICKS = `INSERT INTO clicks
  (id, "linkId", "affiliateId", "offerId", "createdAt", ip, "userAgent", referer,
   sub1, sub2, sub3, sub4, sub5, billable, "isBot", "isRepeat")
SELECT id, link_id, affiliate_id, offer_id, 'epoch'::timestamptz + at_ms * interval '1 millisecond', ip, user_agent, referer,
   sub1, sub2, sub3, sub4, sub5, billable, is_bot, is_repeat
FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::text[],
   $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bool[], $15::bool[], $16::bool[])
  AS t(id, link_id, affiliate_id, offer_id, at_ms, ip, user_agent, referer, sub1, sub2, sub3, sub4, sub5, billable, is_bot, is_repeat)
ON CONFLICT (id) DO NOTHING`;

const WRITE_TIMEOUT_MS = 30_000;

export function pgClickWriter(pool: pg.Pool): ClickWriter {
  return async (batch) => {
    const text = (pick: (c: ClickRecord) => string | null) => textArray(batch, pick);
    const plain = (pick: (c: ClickRecord) => number | boolean) => `{${batch.map(pick).join(",")}}`;
    const values = [
      text((c) => c.clickId),
      plain((c) => c.linkId),
      text((c) => c.affiliateId),
      text((c) => c.offerId),
      plain((c) => c.at),
      text((c) => c.ip),
      text((c) => c.userAgent),
      text((c) => c.referer),
      text((c) => c.sub1),
      text((c) => c.sub2),
      text((c) => c.sub3),
      text((c) => c.sub4),
      text((c) => c.sub5),
      plain((c) => c.billable),
      plain((c) => c.isBot),
      plain((c) => c.isRepeat),
    ];
    // A database that stops answering must not hold the sink forever: the batch fails and is retried. (pg reads
    // query_timeout from the query too; its types only declare it on the client.)
    const query: pg.QueryConfig & { query_timeout: number } = { text: INSERT_CLICKS, values, query_timeout: WRITE_TIMEOUT_MS };
    await pool.query(query);
  };
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * A PostgreSQL text[] literal built directly: pg's own array conversion runs two regex replaces per element, which
 * at 16 columns × thousands of rows is measurable on the event loop that also serves redirects.
 */
function textArray(batch: readonly ClickRecord[], pick: (c: ClickRecord) => string | null): string {
  let out = "{";
  for (let i = 0; i < batch.length; i++) {
    const value = pick(batch[i]!);
    if (i > 0) out += ",";
    out += value == null ? "NULL" : NEEDS_ESCAPE.test(value) ? `"${value.replace(/["\\]/g, "\\$&")}"` : `"${value}"`;
  }
  return out + "}";
}
