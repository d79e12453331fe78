-- A link redirects only while it, its offer and its affiliate are all active. The /go cache hears of offer and
-- affiliate status changes through the same `link_changed` channel: 'offer:<id>' (already sent for a click id
-- parameter change, now also for `active`) and the new 'affiliate:<id>'; each instance then reloads those links.
DROP TRIGGER IF EXISTS offers_notify_click_param_changed ON "offers";

CREATE TRIGGER offers_notify_links_changed
  AFTER UPDATE OF "clickIdParam", "active" ON "offers"
  FOR EACH ROW WHEN (OLD."clickIdParam" IS DISTINCT FROM NEW."clickIdParam" OR OLD."active" IS DISTINCT FROM NEW."active")
  EXECUTE FUNCTION notify_offer_click_param_changed();

CREATE OR REPLACE FUNCTION notify_affiliate_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('link_changed', 'affiliate:' || NEW.id);
  RETURN NULL;
END $$;

CREATE TRIGGER affiliates_notify_links_changed
  AFTER UPDATE OF "active" ON "affiliates"
  FOR EACH ROW WHEN (OLD."active" IS DISTINCT FROM NEW."active")
  EXECUTE FUNCTION notify_affiliate_links_changed();
