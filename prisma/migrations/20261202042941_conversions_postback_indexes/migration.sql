-- The postback context read (server/conversions/store.ts):
-- volume tiers count an affiliate's sales of one offer since the start of the month: a range scan of exactly those
-- rows instead of every sale of the month;
CREATE INDEX "conversions_affiliateId_offerId_createdAt_idx" ON "conversions"("affiliateId", "offerId", "createdAt");

-- a returning customer's latest conversion with the merchant (their touch path): the newest entry of the index.
DROP INDEX "conversions_merchantId_customerId_idx";
CREATE INDEX "conversions_merchantId_customerId_createdAt_idx" ON "conversions"("merchantId", "customerId", "createdAt");
