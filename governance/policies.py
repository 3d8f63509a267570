"""The review policy in force for a card, and how far one revision is from meeting it.

A policy asks for ``required`` distinct approvals of one revision and, optionally, one
approval from each of some reviewer groups, each from a different reviewer (one person in
two groups fills one of them). Without a policy a revision needs one approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, DateTimeField, F, Func, OuterRef, Subquery, Value, When

from cards.models import Approval, CardStatus, ModelCard, RiskRating
from governance.gates import GateResult, gate_results, gate_text
from governance.models import GateException, MetricGate, ReviewPolicy

DEFAULT_REQUIRED = 1


def rating_of(card: ModelCard) -> str:
    """The rating a policy is chosen by: cards without one count as Unknown."""
    return card.risk_rating or RiskRating.UNKNOWN


def policy_for(card: ModelCard) -> ReviewPolicy | None:
    return (
        ReviewPolicy.objects.filter(team_id=card.team_id, risk_rating=rating_of(card))
        .prefetch_related("groups__members", "gates")
        .first()
    )


@dataclass
class Rules:
    """A policy as it stands now: what approvals record and progress is measured against."""

    required: int
    risk_rating: str
    version: int | None  # None: no policy (the default rule)
    groups: dict[str, set[int]] = field(default_factory=dict)  # name -> member ids
    # Metric gates (governance.gates): {"job", "group", "metric", "minimum", "maximum"}.
    gates: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        data = {
            "required": self.required,
            "groups": sorted(self.groups),
            "risk_rating": self.risk_rating,
            "version": self.version,
        }
        if self.gates:
            data["gates"] = [gate_text(gate) for gate in self.gates]
        return data

    def describe(self) -> str:
        text = f"{self.required} approval{'s' if self.required != 1 else ''}"
        if self.groups:
            text += ", one each from " + ", ".join(sorted(self.groups))
        if self.version is None:
            return f"{text} (no policy for {self.risk_rating} risk: the default)"
        return f"{text} ({self.risk_rating} risk policy, version {self.version})"


def recorded_rules(policy: dict) -> str:
    """The rules an approval recorded (``Approval.policy``), in words."""
    if not policy or "required" not in policy:
        return "one approval (from before review policies)"
    return Rules(
        required=policy["required"],
        risk_rating=policy.get("risk_rating", RiskRating.UNKNOWN),
        version=policy.get("version"),
        groups={name: set() for name in policy.get("groups", [])},
    ).describe()


def rules_for(card: ModelCard) -> Rules:
    policy = policy_for(card)
    if policy is None:
        return Rules(required=DEFAULT_REQUIRED, risk_rating=rating_of(card), version=None)
    return Rules(
        required=policy.required_approvals,
        risk_rating=policy.risk_rating,
        version=policy.version,
        groups={
            group.name: {member.pk for member in group.members.all()}
            for group in policy.groups.all()
        },
        gates=[
            {
                "job": gate.job,
                "group": gate.group,
                "metric": gate.metric,
                "minimum": gate.minimum,
                "maximum": gate.maximum,
            }
            for gate in policy.gates.all()
        ],
    )


def _match(groups: dict[str, set[int]], signers: list[int]) -> dict[str, int]:
    """A largest assignment of distinct signers to groups they belong to (Kuhn's augmenting
    paths; a handful of groups and signers)."""
    owner: dict[int, str] = {}

    def place(name: str, seen: set[int]) -> bool:
        for signer in signers:
            if signer in groups[name] and signer not in seen:
                seen.add(signer)
                if signer not in owner or place(owner[signer], seen):
                    owner[signer] = name
                    return True
        return False

    for name in sorted(groups):
        place(name, set())
    return {name: signer for signer, name in owner.items()}


@dataclass
class Progress:
    rules: Rules
    signers: list[int]  # who approved the revision, in order
    filled: dict[str, int]  # group -> the signer who fills it

    @property
    def missing_groups(self) -> list[str]:
        return [name for name in sorted(self.rules.groups) if name not in self.filled]

    @property
    def missing_count(self) -> int:
        return max(self.rules.required - len(self.signers), 0)

    @property
    def still_needed(self) -> int:
        """How many more approvals the revision needs at least."""
        return max(self.missing_count, len(self.missing_groups))

    @property
    def met(self) -> bool:
        return self.still_needed == 0

    def summary(self) -> str:
        if self.met:
            return "The policy is met."
        text = f"{self.still_needed} more approval{'s' if self.still_needed != 1 else ''} needed"
        if self.missing_groups:
            text += ", including one from " + " and one from ".join(self.missing_groups)
        return text + "."


def progress(rules: Rules, signers: list[int]) -> Progress:
    return Progress(rules=rules, signers=signers, filled=_match(rules.groups, signers))


def signers_of(card: ModelCard, revision: int) -> list[int]:
    return list(
        Approval.objects.filter(card=card, revision=revision)
        .order_by("approved_at", "pk")
        .values_list("approved_by_id", flat=True)
    )


class _PlusMonths(Func):
    """timestamp + make_interval(months => n): NULL when either is NULL."""

    arg_joiner = " + make_interval(months => "
    template = "(%(expressions)s))"
    output_field = DateTimeField()


def with_review_dates(cards):
    """Annotate ``approved_at`` (when the approved revision was approved) and ``review_due``
    (that plus the policy's interval; NULL without an interval or an approval)."""
    policy_rating = Case(
        When(risk_rating="", then=Value(RiskRating.UNKNOWN.value)), default=F("risk_rating")
    )
    approved_at = (
        Approval.objects.filter(card=OuterRef("pk"), revision=OuterRef("approved_revision"))
        .order_by("-approved_at")
        .values("approved_at")[:1]
    )
    interval = ReviewPolicy.objects.filter(
        team=OuterRef("team_id"), risk_rating=OuterRef("policy_rating")
    ).values("review_interval_months")[:1]
    return cards.annotate(
        policy_rating=policy_rating,
        approved_at=Subquery(approved_at),
        review_interval=Subquery(interval),
    ).annotate(review_due=_PlusMonths(F("approved_at"), F("review_interval")))


def overdue(cards, now):
    """Approved cards whose review date has passed."""
    return with_review_dates(cards.filter(status=CardStatus.APPROVED)).filter(review_due__lt=now)


@dataclass
class GateCheck:
    """A gate's result for one revision, with the exception a reviewer recorded, if any."""

    result: GateResult
    exception: GateException | None = None

    @property
    def blocks(self) -> bool:
        return self.result.blocking and self.exception is None

    def as_json(self) -> dict:
        data = self.result.as_json()
        if self.exception is not None:
            data["exception"] = {
                "reason": self.exception.reason,
                "by": self.exception.recorded_by.get_username(),
                "at": self.exception.recorded_at.isoformat(),
            }
        return data


def gates_for(card: ModelCard) -> list[dict]:
    """The metric gates of the policy for the card's rating (one query)."""
    return list(
        MetricGate.objects.filter(
            policy__team_id=card.team_id, policy__risk_rating=rating_of(card)
        ).values("job", "group", "metric", "minimum", "maximum")
    )


def gate_checks(
    card: ModelCard, gates: list[dict], revision: int, content: dict
) -> list[GateCheck]:
    """Each of ``gates`` on ``content`` (revision ``revision`` of the card), with the
    exceptions recorded for the revision; no query when there is no gate."""
    if not gates:
        return []
    exceptions = {
        exception.gate: exception
        for exception in GateException.objects.filter(card=card, revision=revision).select_related(
            "recorded_by"
        )
    }
    return [
        GateCheck(result=result, exception=exceptions.get(result.text) if result.blocking else None)
        for result in gate_results(gates, content)
    ]


def gates_refusal(checks: list[GateCheck]) -> str:
    """Why an approval is refused by the gates, or ""."""
    blocking = [check.result for check in checks if check.blocks]
    if not blocking:
        return ""
    named = "; ".join(f"{result.text}: {result.state}" for result in blocking)
    return (
        f"Metric gates of the review policy are not met ({named}). Approve only once a "
        "reviewer has recorded an exception with a reason for each, on the review page."
    )
