// The program the benchmarks and the load test drive: one merchant (`m-bench`, with the given postback token hash),
// one revenue-share EUR offer (`o-bench`), affiliates `a-1…` and links `l-1…` spread over them, as SQL to run on
// a fresh database.
export interface ProgramShape {
  tokenHash: string;
  tokenPrefix: string;
  affiliates: number;
  /** Default one per affiliate. */
  links?: number;
  revshareBps?: number;
  holdingPeriodDays?: number;
}

export function programSql({ tokenHash, tokenPrefix, affiliates, links = affiliates, revshareBps = 1500, holdingPeriodDays = 30 }: ProgramShape): string {
  return `
    INSERT INTO merchants (id, name, "postbackTokenHash", "postbackTokenPrefix", "defaultCurrency")
      VALUES ('m-bench', 'Bench shop', '${tokenHash}', '${tokenPrefix}', 'EUR');
    INSERT INTO offers (id, "merchantId", name, "payoutModel", "revshareBps", currency, "holdingPeriodDays")
      VALUES ('o-bench', 'm-bench', 'Bench offer', 'REVSHARE', ${revshareBps}, 'EUR', ${holdingPeriodDays});
    INSERT INTO affiliates (id, name, email, "payoutMethod", currency)
      SELECT 'a-' || i, 'Affiliate ' || i, 'a' || i || '@bench.test', 'PAYPAL', 'EUR' FROM generate_series(1, ${affiliates}) AS i;
    INSERT INTO links (slug, "affiliateId", "offerId", "destinationUrl", "updatedAt")
      SELECT 'l-' || i, 'a-' || (1 + (i - 1) % ${affiliates}), 'o-bench', 'https://shop.example/?a=' || i, now() FROM generate_series(1, ${links}) AS i;`;
}
