"""The template editor under a team: who may use it, clear errors, versions, starters, audit."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cards.events import Kind
from cards.models import AuditEvent
from teamtemplates.models import TemplateVersion
from teamtemplates.services import starters, template_save
from tests.teamtemplates.conftest import definition, text_fields

pytestmark = pytest.mark.django_db


def edit_url(team) -> str:
    return reverse("teamtemplates:edit", args=[team.pk])


def rows_post(fields: list[dict], *, name="Growth essentials", builtin=None, note="") -> dict:
    data = {
        "name": name,
        "note": note,
        "fields-TOTAL_FORMS": str(len(fields)),
        "fields-INITIAL_FORMS": "0",
    }
    for index, field in enumerate(fields):
        for key, value in field.items():
            data[f"fields-{index}-{key}"] = value
    for key, ticked in (builtin or {}).items():
        data[f"builtin_{key}"] = ticked
    return data


ROW = {
    "key": "Materiality tier",
    "label": "Materiality tier",
    "type": "choice",
    "options": "Tier 1\nTier 2",
    "required_when": ["always"],
}


def test_reviewers_and_site_admins_edit_the_template_editors_may_not_others_get_404(
    client, team_a, alice, rita, sam, charlie
):
    for user, status in [(rita, 200), (sam, 200), (alice, 403), (charlie, 404)]:
        client.force_login(user)
        assert client.get(edit_url(team_a)).status_code == status, user
        response = client.post(edit_url(team_a), rows_post([ROW]))
        assert response.status_code == {200: 302}.get(status, status), user
    assert TemplateVersion.objects.filter(team=team_a).count() == 1  # rita's; sam's was the same


def test_the_login_page_guards_it(client, team_a):
    response = client.get(edit_url(team_a))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_saving_makes_a_new_version_and_an_audit_event(rita_client, team_a, rita):
    response = rita_client.post(
        edit_url(team_a),
        rows_post(
            [
                ROW,
                {
                    "key": "Findings",
                    "label": "Open findings",
                    "help": "Still open.",
                    "type": "number",
                    "required_when": ["High", "Medium"],
                },
            ],
            builtin={"ethical_considerations": ["High"], "clarify_bias": ["always", "Low"]},
            note="First cut",
        ),
    )
    assert response.status_code == 302
    version = TemplateVersion.objects.get(team=team_a)
    assert version.number == 1 and version.created_by == rita and version.note == "First cut"
    assert version.definition == {
        "name": "Growth essentials",
        "fields": [
            {
                "key": "Materiality tier",
                "label": "Materiality tier",
                "help": "",
                "type": "choice",
                "options": ["Tier 1", "Tier 2"],
                "required": "always",
            },
            {
                "key": "Findings",
                "label": "Open findings",
                "help": "Still open.",
                "type": "number",
                "options": [],
                "required": ["High", "Medium"],
            },
        ],
        "builtin": {"ethical_considerations": ["High"], "clarify_bias": "always"},
    }
    event = AuditEvent.objects.get(action=Kind.TEMPLATE_CHANGE)
    assert event.actor == rita and event.team_id == team_a.pk
    assert (
        event.detail == "Team Growth: template “Growth essentials” version 1 (2 fields): First cut"
    )
    page = rita_client.get(edit_url(team_a)).content.decode()
    assert "Saved version 1 of Growth&#x27;s template." in page
    assert 'value="Materiality tier"' in page and "Tier 1\nTier 2</textarea>" in page

    # Saved again unchanged: no new version.
    rita_client.post(
        edit_url(team_a),
        rows_post(
            [
                ROW,
                {
                    "key": "Findings",
                    "label": "Open findings",
                    "help": "Still open.",
                    "type": "number",
                    "required_when": ["High", "Medium"],
                },
            ],
            builtin={"ethical_considerations": ["High"], "clarify_bias": ["always"]},
            note="First cut",
        ),
    )
    assert TemplateVersion.objects.filter(team=team_a).count() == 1
    rita_client.post(edit_url(team_a), rows_post([ROW]))
    assert list(TemplateVersion.objects.filter(team=team_a).values_list("number", flat=True)) == [
        2,
        1,
    ]


@pytest.mark.parametrize(
    ("rows", "row", "field", "message"),
    [
        (
            [ROW, ROW],
            1,
            "key",
            "Another field of the template has the key “Materiality tier”: keys must be unique.",
        ),
        ([{**ROW, "options": ""}], 0, "options", "A choice field needs its options, one per line."),
        (
            [{**ROW, "key": "k" * 1025}],
            0,
            "key",
            "A key has at most 1,024 characters (this one has 1,025).",
        ),
        ([{**ROW, "key": ""}], 0, "key", "Give the field a key: the name it is stored under."),
        ([{**ROW, "type": "text"}], 0, "options", "Only a choice field has options."),
        ([{**ROW, "label": ""}], 0, "label", "Give the field a label (at most 200 characters)."),
    ],
)
def test_a_bad_field_is_explained_next_to_it_and_nothing_is_saved(
    rita_client, team_a, rows, row, field, message
):
    response = rita_client.post(edit_url(team_a), rows_post(rows))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.rows.forms[row].errors[field] == [message]
    assert message.replace("“", "").split(":")[0][:20] in response.content.decode().replace("“", "")
    assert not TemplateVersion.objects.exists()


def test_a_removed_row_is_not_in_the_new_version(rita_client, team_a, rita):
    template_save(team=team_a, user=rita, definition=definition())
    response = rita_client.get(edit_url(team_a))
    form = response.context["form"]
    data = rows_post(
        [{**row, "DELETE": "on"} if row["key"] == "Oversight" else row for row in form.rows.initial]
    )
    data.update(
        {
            f"builtin_{key}": value
            for key, value in form.initial.items()
            if key.startswith("builtin_")
            for key in [key.removeprefix("builtin_")]
        }
    )
    data["fields-INITIAL_FORMS"] = str(len(form.rows.initial))

    rita_client.post(edit_url(team_a), data)

    keys = [field["key"] for field in TemplateVersion.objects.get(number=2).definition["fields"]]
    assert keys == [
        "Materiality tier",
        "Open findings",
        "Next validation",
        "Vendor model",
        "Inventory ID",
    ]


def test_a_starter_is_loaded_with_a_click(rita_client, team_a):
    response = rita_client.post(
        reverse("teamtemplates:starter", args=[team_a.pk]), {"starter": "eu_ai_act"}
    )
    assert response.status_code == 302
    version = TemplateVersion.objects.get(team=team_a)
    assert [field["key"] for field in version.definition["fields"]] == [
        field["key"] for field in starters()["eu_ai_act"]["fields"]
    ]
    assert version.note == "Loaded EU AI Act technical documentation essentials"
    page = rita_client.get(edit_url(team_a)).content.decode()
    assert (
        "Added “EU AI Act technical documentation essentials” to the template: version 1." in page
    )
    # Loading it again adds nothing.
    rita_client.post(reverse("teamtemplates:starter", args=[team_a.pk]), {"starter": "eu_ai_act"})
    assert TemplateVersion.objects.filter(team=team_a).count() == 1


def test_an_unknown_starter_is_refused_with_a_message(rita_client, team_a):
    response = rita_client.post(
        reverse("teamtemplates:starter", args=[team_a.pk]), {"starter": "../settings"}, follow=True
    )
    assert "Choose one of the starter templates." in response.content.decode()
    assert not TemplateVersion.objects.exists()


def test_an_editor_cannot_load_a_starter(client, alice, team_a):
    client.force_login(alice)
    response = client.post(
        reverse("teamtemplates:starter", args=[team_a.pk]), {"starter": "eu_ai_act"}
    )
    assert response.status_code == 403
    assert not TemplateVersion.objects.exists()


def test_the_command_loads_starters_into_a_team(team_a, rita, capsys):
    call_command("load_template", "Growth", "bank_model_risk", "--user", "rita")
    call_command("load_template", "Growth", "nist_ai_rmf", "--user", "rita")
    out = capsys.readouterr().out
    assert "Added “Bank model risk management” to Growth's template: version 1, 10 fields." in out
    assert "version 2, 17 fields." in out
    version = TemplateVersion.objects.get(team=team_a, number=2)
    assert version.definition["builtin"]["intended_uses"] == "always"
    assert version.definition["builtin"]["clarify_bias"] == ["High"]
    with pytest.raises(CommandError, match="There is no starter template “iso”"):
        call_command("load_template", "Growth", "iso", "--user", "rita")
    with pytest.raises(CommandError, match="Only the team's reviewers and site admins"):
        make_editor = __import__("tests.factories", fromlist=["make_user"]).make_user
        make_editor("ed", team=team_a)
        call_command("load_template", "Growth", "eu_ai_act", "--user", "ed")


def test_the_index_lists_the_users_teams_with_their_version(
    client, alice, rita, team_a, team_b, charlie
):
    template_save(team=team_a, user=rita, definition=definition())
    client.force_login(alice)
    page = client.get(reverse("teamtemplates:index")).content.decode()
    assert "Growth" in page and "version 1" in page and "reviewers edit it" in page
    assert "Payments" not in page
    client.force_login(rita)
    assert edit_url(team_a) in client.get(reverse("teamtemplates:index")).content.decode()


@pytest.mark.parametrize("count", [1, 25])
def test_the_pages_cost_the_same_whatever_the_number_of_versions_and_fields(
    rita_client, team_a, rita, count, django_assert_num_queries
):
    fields = text_fields(count)
    for number in range(count):
        template_save(
            team=team_a, user=rita, definition=definition(fields=fields, name=f"v{number}")
        )
    # session, user, team, the user's role, the versions with who saved them
    with django_assert_num_queries(5):
        response = rita_client.get(edit_url(team_a))
    assert f"F{count - 1}" in response.content.decode()
    # session, user, the teams with their latest version and the user's role
    with django_assert_num_queries(3):
        rita_client.get(reverse("teamtemplates:index"))


def test_the_teams_members_see_template_changes_in_the_audit_log(
    client, team_a, rita, alice, charlie
):
    template_save(team=team_a, user=rita, definition=definition(), note="For the 2026 review")
    client.force_login(alice)
    page = client.get(reverse("cards:audit"), {"action": "template_change"}).content.decode()
    assert (
        "Team Growth: template “Growth essentials” version 1 (6 fields): For the 2026 review"
        in page
    )
    client.force_login(charlie)
    page = client.get(reverse("cards:audit"), {"action": "template_change"}).content.decode()
    assert "Growth essentials" not in page
