-- Offers managed in the app (#14): default destination, caps, open-to-affiliates flag, archive, updatedAt;
-- offer_cap_usage: one counter row per capped offer, locked by the postback's create statement.
-- AlterTable
ALTER TABLE "offers" ADD COLUMN     "archivedAt" TIMESTAMPTZ(3),
ADD COLUMN     "dailyCap" INTEGER,
ADD COLUMN     "destinationUrl" TEXT,
ADD COLUMN     "monthlyCap" INTEGER,
ADD COLUMN     "openToAffiliates" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "offer_cap_usage" (
    "offerId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "dayCount" INTEGER NOT NULL,
    "month" DATE NOT NULL,
    "monthCount" INTEGER NOT NULL,

    CONSTRAINT "offer_cap_usage_pkey" PRIMARY KEY ("offerId")
);

-- AddForeignKey
ALTER TABLE "offer_cap_usage" ADD CONSTRAINT "offer_cap_usage_offerId_fkey" FOREIGN KEY ("offerId") REFERENCES "offers"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Caps are at least 1 (null: no cap).
ALTER TABLE "offers" ADD CONSTRAINT "offers_caps_positive" CHECK (("dailyCap" IS NULL OR "dailyCap" >= 1) AND ("monthlyCap" IS NULL OR "monthlyCap" >= 1));

-- Raised by the postback's create statement when a capped offer has no place left: the whole statement (the
-- conversion, its commission, events and log line) rolls back, and the postback is answered offer_cap_reached.
CREATE FUNCTION offer_cap_reached(offer_id text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'offer % reached its conversion cap', offer_id USING ERRCODE = 'AC001';
END
$$;
