-- Cache coherence for the /go link cache: every instance LISTENs on `link_changed` and reloads what the payload
-- names. Payloads: '<link id>' (a link row changed), 'offer:<offer id>' (its click id parameter changed, so every
-- link of the offer is rebuilt), 'settings' (the program's fallback URL). A periodic full reload is the safety net
-- for notifications missed while an instance was disconnected.
CREATE OR REPLACE FUNCTION notify_link_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('link_changed', OLD.id::text);
  ELSE
    PERFORM pg_notify('link_changed', NEW.id::text);
    IF TG_OP = 'UPDATE' AND NEW.id <> OLD.id THEN
      PERFORM pg_notify('link_changed', OLD.id::text);
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER links_notify_changed
  AFTER INSERT OR UPDATE OR DELETE ON "links"
  FOR EACH ROW EXECUTE FUNCTION notify_link_changed();

CREATE OR REPLACE FUNCTION notify_offer_click_param_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('link_changed', 'offer:' || NEW.id);
  RETURN NULL;
END $$;

CREATE TRIGGER offers_notify_click_param_changed
  AFTER UPDATE OF "clickIdParam" ON "offers"
  FOR EACH ROW WHEN (OLD."clickIdParam" IS DISTINCT FROM NEW."clickIdParam")
  EXECUTE FUNCTION notify_offer_click_param_changed();

CREATE OR REPLACE FUNCTION notify_program_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('link_changed', 'settings');
  RETURN NULL;
END $$;

CREATE TRIGGER program_settings_notify_changed
  AFTER INSERT OR UPDATE OR DELETE ON "program_settings"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_program_settings_changed();
