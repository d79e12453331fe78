-- CreateIndex
CREATE INDEX "affiliates_active_name_idx" ON "affiliates"("active", "name");

-- CreateIndex
CREATE INDEX "commissions_createdAt_id_idx" ON "commissions"("createdAt", "id");

-- CreateIndex
CREATE INDEX "commissions_affiliateId_createdAt_idx" ON "commissions"("affiliateId", "createdAt");

-- CreateIndex
CREATE INDEX "commissions_status_createdAt_idx" ON "commissions"("status", "createdAt");

