"""A card's status change tells the waiting long polls (NOTIFY studio_card_status, card id).

The trigger fires inside the transaction that changes the status; PostgreSQL delivers the
notification only when that transaction commits, so a rolled-back change wakes nobody.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION cards_card_status_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('studio_card_status', OLD.id::text);
        RETURN OLD;
    END IF;
    PERFORM pg_notify('studio_card_status', NEW.id::text);
    RETURN NEW;
END;
$$;
CREATE TRIGGER cards_card_status_notify_update
    AFTER UPDATE OF status ON cards_modelcard
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION cards_card_status_notify();
CREATE TRIGGER cards_card_status_notify_delete
    AFTER DELETE ON cards_modelcard
    FOR EACH ROW EXECUTE FUNCTION cards_card_status_notify();
"""

DROP = """
DROP TRIGGER IF EXISTS cards_card_status_notify_delete ON cards_modelcard;
DROP TRIGGER IF EXISTS cards_card_status_notify_update ON cards_modelcard;
DROP FUNCTION IF EXISTS cards_card_status_notify();
"""


class Migration(migrations.Migration):
    dependencies = [("cards", "0011_list_at_scale")]

    operations = [migrations.RunSQL(CREATE, DROP)]
