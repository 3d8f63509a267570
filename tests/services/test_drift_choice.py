"""The drift page's comparison and choice as services (cards/services/drift.py): data in,
data out, the same refusals for any screen."""

from __future__ import annotations

import pytest

from cards.errors import InvalidInput, TransitionRefused
from cards.models import ModelCard
from cards.services import sagemaker_change_choose, sagemaker_changes_compare
from tests.sagemaker.test_drift import edit_in_console, published  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_comparison_is_data_about_both_versions(published, aws):  # noqa: F811
    version = edit_in_console(aws)
    compared = sagemaker_changes_compare(card=published)
    assert (compared.version, compared.status, compared.readable) == (version, "Approved", True)
    changed = {row["change"].path: (row["old"], row["new"]) for row in compared.changes}
    description = ("model_overview", "model_description")
    assert changed[description] == ("A test model", "Edited in the console")


def test_a_choice_about_an_older_version_is_refused(published, aws, alice):  # noqa: F811
    seen = edit_in_console(aws)
    compared = sagemaker_changes_compare(card=published)
    with pytest.raises(TransitionRefused, match="SageMaker changed again"):
        sagemaker_change_choose(
            card=published, user=alice, choice="overwrite", seen_version=seen - 1, compared=compared
        )
    with pytest.raises(InvalidInput, match="Choose one of the options"):
        sagemaker_change_choose(
            card=published, user=alice, choice="both", seen_version=seen, compared=compared
        )


def test_keeping_the_remote_version_returns_the_card(published, aws, alice):  # noqa: F811
    seen = edit_in_console(aws)
    compared = sagemaker_changes_compare(card=published)
    chosen = sagemaker_change_choose(
        card=published, user=alice, choice="keep_remote", seen_version=seen, compared=compared
    )
    stored = ModelCard.objects.get(pk=published.pk)
    assert chosen.card.revision == stored.revision
    assert stored.content["model_overview"]["model_description"] == "Edited in the console"
    assert stored.sagemaker_version == seen
