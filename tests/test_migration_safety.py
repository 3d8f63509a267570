"""Migrations are applied (the migrate Job, compose's migrate service) while the previous
version still serves: docs/operations.md "Upgrades". An operation that breaks the previous
version's queries is refused here unless its migration says it is the second step of two
(the release before stopped using what it removes).

Refused without the marker: removing or renaming a field, a model or a table, and adding a
NOT NULL column without a database default (the previous version's INSERTs leave it out).
The marker is a class attribute of the Migration with the reason, for example::

    class Migration(migrations.Migration):
        two_step = "1.4 stopped reading ModelCard.legacy_notes"
"""

from __future__ import annotations

import pytest
from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.models import NOT_PROVIDED

OUR_APPS = {"cards", "api", "wizard", "governance", "webhooks", "sso", "teamtemplates"}
BREAKING = (
    migrations.RemoveField,
    migrations.RenameField,
    migrations.DeleteModel,
    migrations.RenameModel,
    migrations.AlterModelTable,
)


# Written before rolling upgrades were supported (no release ran beside them); a new database
# applies them all before any server starts. Never add to this list.
BEFORE_THE_RULE = {
    "cards.0002_report_evidence",
    "cards.0004_review_workflow",
    "cards.0005_sagemaker_link",
    "cards.0010_governance_audit_fields",
    "cards.0011_list_at_scale",
}


def problems(migration: migrations.Migration) -> list[str]:
    found = []
    # The previous version knows nothing of a table this migration creates.
    created = {
        op.name.lower() for op in migration.operations if isinstance(op, migrations.CreateModel)
    }
    for operation in migration.operations:
        if isinstance(operation, BREAKING):
            found.append(f"{type(operation).__name__} {operation.describe()}")
        elif isinstance(operation, migrations.AddField) and operation.model_name not in created:
            field = operation.field
            if not (field.null or field.many_to_many or field.db_default is not NOT_PROVIDED):
                found.append(
                    f"AddField {operation.model_name}.{operation.name} is NOT NULL without "
                    "db_default: the previous version's inserts leave it out"
                )
    return found


def our_migrations() -> list[migrations.Migration]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(
        (m for (app, _), m in loader.disk_migrations.items() if app in OUR_APPS),
        key=lambda m: (m.app_label, m.name),
    )


@pytest.mark.parametrize("migration", our_migrations(), ids=lambda m: f"{m.app_label}.{m.name}")
def test_every_migration_is_safe_while_the_previous_version_runs(migration):
    if (
        getattr(migration, "two_step", "")
        or f"{migration.app_label}.{migration.name}" in BEFORE_THE_RULE
    ):
        return
    assert problems(migration) == [], (
        "This migration breaks the version still running during a rollout. Ship the code "
        "that stops using it first, then migrate in the next release with "
        '`two_step = "<which release stopped using it>"` on the Migration.'
    )


class _Unsafe(migrations.Migration):
    operations = [
        migrations.RemoveField(model_name="modelcard", name="risk_rating"),
        migrations.RenameField(model_name="modelcard", old_name="name", new_name="title"),
    ]


def test_the_check_refuses_a_removed_or_renamed_field():
    unsafe = _Unsafe("0999_unsafe", "cards")

    assert [problem.split()[0] for problem in problems(unsafe)] == ["RemoveField", "RenameField"]


def test_the_check_refuses_a_not_null_column_without_a_database_default():
    from django.db import models

    unsafe = _Unsafe("0999_unsafe", "cards")
    unsafe.operations = [
        migrations.AddField("modelcard", "owner_note", models.TextField(default="")),
        migrations.AddField("modelcard", "nullable_note", models.TextField(null=True)),
        migrations.AddField("modelcard", "db_note", models.TextField(db_default="")),
    ]

    assert [problem.split()[1] for problem in problems(unsafe)] == ["modelcard.owner_note"]


def test_the_second_step_of_two_passes_with_its_reason():
    second_step = _Unsafe("0999_drop_risk_rating", "cards")
    second_step.two_step = "1.4 stopped reading ModelCard.risk_rating"

    test_every_migration_is_safe_while_the_previous_version_runs(second_step)
