from django import forms
from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone

from cards.events import Kind
from cards.models import (
    COMMENT_MAX_LENGTH,
    CardStatus,
    ModelCardQuerySet,
    RiskRating,
    Role,
    Section,
    Team,
)
from governance.policies import overdue
from governance.services import needs_rereview


class CardFilterForm(forms.Form):
    """The list's filters. A value that does not clean is left out, and its message shown."""

    q = forms.CharField(
        label="Find cards",
        required=False,
        max_length=200,
        error_messages={"max_length": "Search for at most %(limit_value)d characters."},
    )
    team = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={
            "invalid_choice": "“%(value)s” is not one of your teams; showing every team."
        },
    )
    status = forms.ChoiceField(
        choices=[("", "Any status")] + CardStatus.choices,
        required=False,
        error_messages={"invalid_choice": "There is no status “%(value)s”; showing every status."},
    )
    risk_rating = forms.ChoiceField(
        label="Risk rating",
        choices=[("", "Any risk rating")] + RiskRating.choices,
        required=False,
        error_messages={
            "invalid_choice": "There is no risk rating “%(value)s”; showing every risk rating."
        },
    )
    owner = forms.CharField(
        required=False,
        max_length=150,
        error_messages={"max_length": "User names have at most %(limit_value)d characters."},
    )
    waiting = forms.BooleanField(required=False)
    # Governance: approved cards marked "Needs re-review", or past their review date.
    review = forms.ChoiceField(
        choices=[
            ("", "Any review state"),
            ("rereview", "Needs re-review"),
            ("overdue", "Review overdue"),
        ],
        required=False,
        error_messages={
            "invalid_choice": "There is no review state “%(value)s”; showing every card."
        },
    )
    sort = forms.ChoiceField(required=False, choices=[])

    # column key -> (heading, the ordering it sorts by); "-key" sorts the other way.
    COLUMNS = {
        "name": ("Name", ["name"]),
        # The lifecycle's order and the highest risk first (generated columns, indexed).
        "status": ("Status", ["status_rank", "name"]),
        "risk": ("Risk rating", ["risk_rank", "name"]),
        "model": ("Model", ["model_name", "name"]),
        "owner": ("Owner", None),
        "created_by": ("Created by", None),
        "created": ("Created", ["created_at", "pk"]),
        "changed": ("Last change", ["updated_at", "pk"]),
    }
    DEFAULT_SORT = "-changed"

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # One query gives the team select and tells whether the user reviews anywhere (the
        # "Waiting for my review" link is counted only for those who do).
        teams = Team.objects.order_by("name")
        if not user.is_superuser:
            teams = teams.filter(memberships__user=user).annotate(role=F("memberships__role"))
        self.teams = list(teams)
        self.reviews = user.is_superuser or any(team.role == Role.REVIEWER for team in self.teams)
        self.fields["team"].choices = [("", "Any team")] + [
            (team.pk, team.name) for team in self.teams
        ]
        keys = [key for key, (_, order) in self.COLUMNS.items() if order]
        self.fields["sort"].choices = [("", "")] + [
            (f"{sign}{key}", key) for key in keys for sign in ("", "-")
        ]
        self.fields["sort"].error_messages["invalid_choice"] = (
            "The list cannot be sorted by “%(value)s”; showing the latest changes first."
        )

    @classmethod
    def ordering_for(cls, sort: str) -> list[str]:
        """The ORDER BY of a sort ("-changed"): one direction, ending in a unique column, and
        one index each (cards/listing.py pages through it by keyset)."""
        order = cls.COLUMNS[sort.lstrip("-")][1]
        return [f"-{field}" for field in order] if sort.startswith("-") else list(order)

    def ordering(self) -> list[str]:
        return self.ordering_for(self.cleaned_data.get("sort") or self.DEFAULT_SORT)

    def sorted(self, cards: ModelCardQuerySet) -> ModelCardQuerySet:
        return cards.order_by(*self.ordering())

    def headings(self, query: str) -> list[dict]:
        """The list's column headings: a link that sorts by the column (again: the other
        way), and which way the list is sorted now (for aria-sort)."""
        sort = (self.cleaned_data.get("sort") if hasattr(self, "cleaned_data") else "") or (
            self.DEFAULT_SORT
        )
        params = QueryDict(query, mutable=True)
        params.pop("sort", None)
        headings = []
        for key, (label, order) in self.COLUMNS.items():
            heading = {"label": label, "url": None, "sorted": ""}
            if order:
                current = sort.lstrip("-") == key
                descending = sort.startswith("-")
                if current:
                    heading["sorted"] = "descending" if descending else "ascending"
                if current:
                    params["sort"] = key if descending else f"-{key}"
                else:  # dates start with the newest
                    params["sort"] = f"-{key}" if key in ("created", "changed") else key
                heading["url"] = "?" + params.urlencode()
            headings.append(heading)
        return headings

    def matching(self, cards: ModelCardQuerySet) -> ModelCardQuerySet:
        """``cards`` narrowed by every filter whose value is valid; the others are left out."""
        self.is_valid()  # cleans once; cleaned_data then holds only the valid values
        chosen = self.cleaned_data
        if words := chosen.get("q"):
            # The name also by substring: the full-text index matches whole words only.
            text = SearchQuery(words, config="english", search_type="websearch")
            cards = cards.filter(
                Q(search=text) | Q(name__icontains=words) | Q(model_name__icontains=words)
            )
        if chosen.get("team") is not None:
            cards = cards.filter(team_id=chosen["team"])
        if chosen.get("status"):
            cards = cards.filter(status=chosen["status"])
        if chosen.get("risk_rating"):
            cards = cards.filter(risk_rating=chosen["risk_rating"])
        if chosen.get("owner"):
            cards = cards.filter(created_by__username__iexact=chosen["owner"])
        if chosen.get("waiting"):
            cards = cards.waiting_for_review_by(self.user)
        if chosen.get("review"):
            if chosen["review"] == "rereview":
                cards = needs_rereview(cards)
            else:
                cards = overdue(cards, timezone.now())
        return self.sorted(cards)


class _IntoTeam:
    """The ``team`` field of the import forms: the teams offered, hidden when only one (which
    is then the answer)."""

    def teams_offered(self, teams: list[Team]) -> None:
        self.fields["team"].queryset = Team.objects.filter(pk__in=[team.pk for team in teams])
        if len(teams) == 1:
            self.fields["team"].required = False
            self.fields["team"].widget = forms.HiddenInput()
        self.only_team = teams[0] if len(teams) == 1 else None

    def clean_team(self) -> Team:
        return self.cleaned_data.get("team") or self.only_team


class ImportCardForm(_IntoTeam, forms.Form):
    name = forms.CharField(label="Model card name", max_length=63)
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.none(), empty_label=None)
    file = forms.FileField(
        label="Model card JSON",
        help_text="A content document as exported here or written by the SageMaker SDK.",
    )

    def __init__(self, *args, teams: list[Team], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.teams_offered(teams)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1_000_000:.1f} MB; the limit is "
                f"{limit / 1_000_000:.0f} MB."
            )
        return upload


class CommentForm(forms.Form):
    """A new thread (on the card or a section) or a reply."""

    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write the comment first.",
            "max_length": "Comments are at most %(limit_value)d characters (%(show_value)d now).",
        },
    )
    section = forms.ChoiceField(
        label="On",
        choices=Section.choices,
        initial=Section.CARD,
        error_messages={
            "invalid_choice": "Choose the card or one of its sections.",
            "required": "Choose the card or one of its sections.",
        },
    )
    parent = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput(),
        error_messages={"invalid": "The comment you answered is not on this card."},
    )


class RequestChangesForm(CommentForm):
    """The note of a change request: a comment that starts a thread and says what to change."""

    parent = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        body.label = "What needs to change"
        body.widget.attrs["rows"] = 4
        body.error_messages["required"] = (
            "Say what needs to change: a comment is required to request changes."
        )
        self.fields["section"].label = "Section"


class AuditFilterForm(forms.Form):
    """Filters of an audit log; ``teams`` are the ones whose events the user may read.

    For one card's log (``for_card``) the card and team filters are left out.
    """

    action = forms.ChoiceField(
        choices=[("", "Any action")] + Kind.choices,
        required=False,
        error_messages={"invalid_choice": "Choose an action from the list."},
    )
    actor = forms.CharField(label="Who", required=False, max_length=150)
    card = forms.CharField(label="Card name", required=False, max_length=63)
    team = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of your teams from the list."},
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Write the first day as YYYY-MM-DD, such as 2026-11-27."},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Write the last day as YYYY-MM-DD, such as 2026-11-27."},
    )

    def __init__(self, *args, teams: list[Team], for_card: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if for_card:
            del self.fields["card"]
            del self.fields["team"]
        else:
            self.fields["team"].choices = [("", "Any team")] + [
                (team.pk, team.name) for team in teams
            ]

    def clean(self) -> dict:
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", "The last day comes before the first; swap them.")
        return cleaned


class SagemakerImportForm(_IntoTeam, forms.Form):
    """Which of the account's SageMaker cards to import, into which team."""

    names = forms.MultipleChoiceField(
        label="Cards to import",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one card to import.",
            "invalid_choice": "SageMaker has no card named “%(value)s” (any more).",
        },
    )
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.none(), empty_label=None)
    with_versions = forms.BooleanField(
        label="Include version history",
        required=False,
        help_text="Every SageMaker version becomes a revision; otherwise only the latest.",
    )

    def __init__(self, *args, teams: list[Team], names: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["names"].choices = [(name, name) for name in names]
        self.teams_offered(teams)


class RegistryImportForm(_IntoTeam, forms.Form):
    """Which of the listed model package cards to import, into which team."""

    arns = forms.MultipleChoiceField(
        label="Model package cards to import",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one model package card to import.",
            "invalid_choice": "The model package “%(value)s” has no card to import on this page "
            "(any more).",
        },
    )
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.none(), empty_label=None)

    def __init__(self, *args, teams: list[Team], arns: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["arns"].choices = [(arn, arn) for arn in arns]
        self.teams_offered(teams)


class ExportForm(forms.Form):
    """The export page's choices; submitted by GET, so a download is a plain link."""

    format = forms.ChoiceField(
        label="Format",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a format.",
            "invalid_choice": "Choose one of the formats listed.",
        },
    )
    revision = forms.TypedChoiceField(
        label="Revision",
        coerce=int,
        error_messages={
            "invalid_choice": "This card has no such revision; choose one from the list."
        },
    )
    changes = forms.BooleanField(
        label="Include the changes since the last approval (PDF and HTML)", required=False
    )
    comments = forms.BooleanField(
        label="Include the review comment threads (PDF and HTML)", required=False
    )
    license = forms.RegexField(
        label="Licence identifier (Hugging Face and Model Card Toolkit)",
        regex=r"^[A-Za-z0-9.+-]*$",
        max_length=64,
        required=False,
        help_text="An SPDX identifier or a Hub licence name, such as apache-2.0.",
        error_messages={
            "invalid": "A licence identifier has letters, digits, dots, plus and hyphens only, "
            "such as apache-2.0.",
            "max_length": "A licence identifier has at most %(limit_value)d characters.",
        },
    )
    tags = forms.CharField(
        label="Extra tags (Hugging Face), separated by commas",
        max_length=500,
        required=False,
        error_messages={"max_length": "Write at most %(limit_value)d characters of tags."},
    )

    def __init__(self, *args, formats, revisions: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = formats
        self.fields["revision"].choices = [(number, f"Revision {number}") for number in revisions]

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]


class AwsTargetForm(forms.Form):
    """A team's AWS target (site admins). The shapes are checked here, next to each field;
    the service checks them again (cards.target_models) for every other caller."""

    label = forms.CharField(max_length=100, help_text="How the studio names it: “Fraud, prod”.")
    region = forms.ChoiceField(help_text="The region the team's cards are published in.")
    role_arn = forms.CharField(
        label="Role ARN",
        max_length=2048,
        help_text="The role the studio assumes in the team's account (docs/aws-targets.md).",
    )
    external_id = forms.CharField(
        label="External ID",
        max_length=1224,
        required=False,
        help_text="Optional: the value the role's trust policy asks for (sts:ExternalId).",
    )
    kms_key_id = forms.CharField(
        label="KMS key",
        max_length=2048,
        required=False,
        help_text="Optional: the key new cards' content is encrypted with (an id, alias or ARN "
        "in the target's account); none: an AWS managed key.",
    )

    def __init__(self, *args, regions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(region, region) for region in regions]

    def clean_role_arn(self) -> str:
        from cards.target_models import ROLE_ARN_MESSAGE, ROLE_ARN_PATTERN

        value = self.cleaned_data["role_arn"].strip()
        if not ROLE_ARN_PATTERN.match(value):
            raise ValidationError(ROLE_ARN_MESSAGE)
        return value

    def clean_external_id(self) -> str:
        from cards.target_models import EXTERNAL_ID_MESSAGE, EXTERNAL_ID_PATTERN

        value = self.cleaned_data["external_id"].strip()
        if value and not EXTERNAL_ID_PATTERN.match(value):
            raise ValidationError(EXTERNAL_ID_MESSAGE)
        return value

    def clean_kms_key_id(self) -> str:
        from cards.target_models import KMS_KEY_MESSAGE, KMS_KEY_PATTERN

        value = self.cleaned_data["kms_key_id"].strip()
        if value and not KMS_KEY_PATTERN.match(value):
            raise ValidationError(KMS_KEY_MESSAGE)
        return value


class CardTagForm(forms.Form):
    key = forms.CharField(max_length=128)
    value = forms.CharField(max_length=256, required=False)
