-- Volume tiers count an affiliate's sales of one offer since the start of the month (the postback context read):
-- a range scan of exactly those rows instead of every sale of the month.
CREATE INDEX "conversions_affiliateId_offerId_createdAt_idx" ON "conversions"("affiliateId", "offerId", "createdAt");
