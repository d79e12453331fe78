-- The live event of a commission whose status changed, fit for bulk statements:
-- * The old and new rows are matched by a hash join. Transition tables have no statistics, and the planner chose a
--   nested loop over them: for the payout attachment's chunk of ~29,000 commissions, 29,000² comparisons — the
--   40 minutes bench:payouts measured for attaching a 15,000-affiliate run. (enable_nestloop is off for this
--   function's own statement only.)
-- * A commission marked PAID is not announced one by one: its payout's state change is (payout_runs_live), and a
--   run pays hundreds of thousands of commissions at once.
CREATE OR REPLACE FUNCTION live_commissions_updated() RETURNS trigger LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  INSERT INTO live_events ("kind", "affiliateId", "merchantId", "data")
  SELECT 'commission', n."affiliateId", o."merchantId",
         jsonb_build_object('commissionId', n.id, 'conversionId', n."conversionId", 'status', n.status, 'kind', n.kind,
                            'previous', old_rows.status, 'amountMinor', n."amountMinor", 'currency', n.currency,
                            'heldReason', n."heldReason")
    FROM new_rows n
    JOIN old_rows ON old_rows.id = n.id
    JOIN offers o ON o.id = n."offerId"
   WHERE n.status IS DISTINCT FROM old_rows.status AND n.status <> 'PAID';
  IF FOUND THEN PERFORM pg_notify('live', ''); END IF;
  RETURN NULL;
END $$;
