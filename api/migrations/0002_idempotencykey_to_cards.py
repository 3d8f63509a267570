from django.db import migrations


class Migration(migrations.Migration):
    """IdempotencyKey moved to the cards app (its rule is the publishing service's). In state
    only: the table stays, under its name, for the version still running during a rollout."""

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
