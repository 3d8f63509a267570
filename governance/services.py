"""Every governance write: policies, reviewer groups, re-review marks. No network, no HTML."""

from __future__ import annotations

import math
import re

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from cards.errors import InvalidInput, NotAllowed, TransitionRefused
from cards.events import Kind, event_record
from cards.models import (
    CardStatus,
    ModelCard,
    RiskRating,
    Role,
    Team,
)
from cards.permissions import SITE_ADMIN, Action, require, role_in_team
from governance.gates import gate_text
from governance.models import (
    GateException,
    MetricGate,
    RereviewFlag,
    RereviewReason,
    ReviewerGroup,
    ReviewPolicy,
)
from governance.policies import gate_checks, gates_for

MAX_APPROVALS = 10
MAX_MONTHS = 120


def may_manage(user, team: Team) -> bool:
    """The team's reviewers and site admins set its policies and groups."""
    return role_in_team(user, team.pk) in {Role.REVIEWER, SITE_ADMIN}


def _require_manage(user, team: Team) -> None:
    if not may_manage(user, team):
        raise NotAllowed("Only the team's reviewers and site admins can change review policies.")


def team_reviewers(team: Team):
    return (
        get_user_model()
        .objects.filter(memberships__team=team, memberships__role=Role.REVIEWER, is_active=True)
        .order_by("username")
    )


def _months(value, field: str, what: str) -> int | None:
    if value in (None, ""):
        return None
    if not isinstance(value, int) or not 1 <= value <= MAX_MONTHS:
        raise InvalidInput(f"{what} is a number of months from 1 to {MAX_MONTHS}.", field=field)
    return value


# SageMaker's ModelLifeCycle: Stage and StageStatus both required, each 1 to 63 letters,
# digits and hyphens, starting and ending with a letter or digit.
STAGE_MAX = 63
_STAGE_TEXT = re.compile(r"^([a-zA-Z0-9](-*[a-zA-Z0-9])*)?$")


def _stage_problems(stage: str, status: str) -> list[tuple[str, str]]:
    problems = []
    for field, what, value in (
        ("package_stage", "The stage", stage),
        ("package_stage_status", "The stage status", status),
    ):
        if len(value) > STAGE_MAX:
            problems.append((field, f"{what} is at most {STAGE_MAX} characters."))
        elif not _STAGE_TEXT.match(value):
            problems.append(
                (
                    field,
                    f"{what} is letters, digits and hyphens (SageMaker's rule), "
                    "starting and ending with a letter or digit.",
                )
            )
    if bool(stage) != bool(status):
        field = "package_stage_status" if stage else "package_stage"
        problems.append(
            (field, "Give both a stage and a stage status (SageMaker needs both), or neither.")
        )
    return problems


def policy_save(
    *,
    user,
    team: Team,
    risk_rating: str,
    required_approvals: int,
    groups: list[ReviewerGroup] = (),
    review_interval_months: int | None = None,
    evaluation_max_age_months: int | None = None,
    package_stage: str = "",
    package_stage_status: str = "",
) -> ReviewPolicy:
    """Create or change the team's policy for one risk rating (its version goes up)."""
    _require_manage(user, team)
    if risk_rating not in RiskRating.values:
        raise InvalidInput("Choose a risk rating.", field="risk_rating")
    groups = list(groups)
    problems = []
    if not isinstance(required_approvals, int) or not 1 <= required_approvals <= MAX_APPROVALS:
        problems.append(
            ("required_approvals", f"Ask for 1 to {MAX_APPROVALS} approvals of a revision.")
        )
    elif required_approvals < len(groups):
        problems.append(
            (
                "required_approvals",
                f"{len(groups)} groups each need an approval from a different reviewer: "
                f"ask for at least {len(groups)} approvals, or choose fewer groups.",
            )
        )
    else:
        reviewers = team_reviewers(team).count()
        if required_approvals > reviewers:
            problems.append(
                (
                    "required_approvals",
                    f"The team has {reviewers} reviewer{'s' if reviewers != 1 else ''}: "
                    f"{required_approvals} distinct approvals could never be given.",
                )
            )
    for group in groups:
        if group.team_id != team.pk:
            problems.append(("groups", f"“{group.name}” is not one of this team's groups."))
        elif not group.members.exists():
            problems.append(("groups", f"The group “{group.name}” has no members yet."))
    for field, what, value in (
        ("review_interval_months", "The review interval", review_interval_months),
        ("evaluation_max_age_months", "The evaluation's maximum age", evaluation_max_age_months),
    ):
        try:
            _months(value, field, what)
        except InvalidInput as error:
            problems.append((field, error.message))
    package_stage, package_stage_status = package_stage.strip(), package_stage_status.strip()
    problems += _stage_problems(package_stage, package_stage_status)
    if problems:
        raise InvalidInput(problems[0][1], field=problems[0][0], problems=problems)
    with transaction.atomic():
        policy, created = ReviewPolicy.objects.select_for_update().get_or_create(
            team=team,
            risk_rating=risk_rating,
            defaults={"required_approvals": required_approvals, "updated_by": user},
        )
        if not created:
            policy.version = F("version") + 1
        policy.required_approvals = required_approvals
        policy.review_interval_months = review_interval_months
        policy.evaluation_max_age_months = evaluation_max_age_months
        policy.package_stage = package_stage
        policy.package_stage_status = package_stage_status
        policy.updated_by = user
        policy.save()
        policy.refresh_from_db()
        policy.groups.set(groups)
        names = ", ".join(sorted(group.name for group in groups)) or "none"
        event_record(
            card=None,
            actor=user,
            kind=Kind.POLICY_CHANGE,
            team_id=team.pk,
            detail=(
                f"Team {team.name}, {risk_rating} risk, version {policy.version}: "
                f"{required_approvals} approval(s), groups {names}, review every "
                f"{review_interval_months or '-'} month(s), evaluation at most "
                f"{evaluation_max_age_months or '-'} month(s) old"
                + (
                    f", on approval the model package's stage {package_stage} "
                    f"({package_stage_status})"
                    if package_stage
                    else ""
                )
            )[:500],
        )
    return policy


def policy_delete(*, user, team: Team, risk_rating: str) -> None:
    """Back to the default (one approval, no re-review) for this rating."""
    _require_manage(user, team)
    with transaction.atomic():
        deleted, _ = ReviewPolicy.objects.filter(team=team, risk_rating=risk_rating).delete()
        if deleted:
            event_record(
                card=None,
                actor=user,
                kind=Kind.POLICY_CHANGE,
                team_id=team.pk,
                detail=f"Team {team.name}, {risk_rating} risk: policy removed (one approval)",
            )


def group_save(
    *, user, team: Team, name: str, members: list, group: ReviewerGroup | None = None
) -> ReviewerGroup:
    """Create or change a reviewer group: a name and some of the team's reviewers."""
    _require_manage(user, team)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Give the group a name.", field="name")
    if len(name) > 100:
        raise InvalidInput("Group names have at most 100 characters.", field="name")
    reviewer_ids = set(team_reviewers(team).values_list("pk", flat=True))
    if not members:
        raise InvalidInput("Choose at least one of the team's reviewers.", field="members")
    strangers = [member for member in members if member.pk not in reviewer_ids]
    if strangers:
        raise InvalidInput(
            f"{strangers[0].get_username()} is not a reviewer of {team.name}.", field="members"
        )
    with transaction.atomic():
        clash = ReviewerGroup.objects.filter(team=team, name__iexact=name)
        if group is not None:
            clash = clash.exclude(pk=group.pk)
        if clash.exists():
            raise InvalidInput(f"The team has a group “{name}” already.", field="name")
        if group is None:
            group = ReviewerGroup(team=team)
        group.name = name
        try:
            with transaction.atomic():
                group.save()
        except IntegrityError:
            raise InvalidInput(f"The team has a group “{name}” already.", field="name") from None
        group.members.set(members)
        # Policies that ask for the group now ask for its new membership: a new version.
        ReviewPolicy.objects.filter(groups=group).update(version=F("version") + 1)
        event_record(
            card=None,
            actor=user,
            kind=Kind.POLICY_CHANGE,
            team_id=team.pk,
            detail=f"Team {team.name}, group {name}: "
            + ", ".join(sorted(member.get_username() for member in members)),
        )
    return group


def group_delete(*, user, group: ReviewerGroup) -> None:
    _require_manage(user, group.team)
    if group.policies.exists():
        ratings = ", ".join(group.policies.values_list("risk_rating", flat=True))
        raise InvalidInput(
            f"The {ratings} risk policy asks for “{group.name}”: take it out of the policy first.",
            field="group",
        )
    with transaction.atomic():
        event_record(
            card=None,
            actor=user,
            kind=Kind.POLICY_CHANGE,
            team_id=group.team_id,
            detail=f"Team {group.team.name}, group {group.name} removed",
        )
        group.delete()


def needs_rereview(cards):
    """The cards with an open re-review mark: one about the approval they still stand on."""
    flagged = RereviewFlag.objects.filter(
        card=OuterRef("pk"), approved_revision=OuterRef("approved_revision")
    )
    return cards.exclude(status=CardStatus.ARCHIVED).filter(Exists(flagged))


def open_flags(card: ModelCard) -> list[RereviewFlag]:
    if card.approved_revision is None or card.status == CardStatus.ARCHIVED:
        return []
    return list(card.rereview_flags.filter(approved_revision=card.approved_revision))


def mark_for_rereview(card: ModelCard, reason: str, detail: str = "") -> bool:
    """Mark an approved card "Needs re-review" for ``reason`` and e-mail the team's
    reviewers, once per reason and approval. True when this call marked it."""
    if reason not in RereviewReason.values:
        raise InvalidInput("Not a re-review reason.", field="reason")
    with transaction.atomic():
        current = ModelCard.objects.select_for_update().get(pk=card.pk)
        if current.status != CardStatus.APPROVED or current.approved_revision is None:
            return False
        try:
            with transaction.atomic():
                RereviewFlag.objects.create(
                    card=current,
                    reason=reason,
                    approved_revision=current.approved_revision,
                    detail=detail[:300],
                )
        except IntegrityError:
            return False  # marked for this reason already
        label = RereviewReason(reason).label
        # The team's reviewers are e-mailed, the webhooks told, by the event's subscribers.
        event_record(
            card=current,
            kind=Kind.REREVIEW,
            actor=None,
            detail=f"{label}: {detail}" if detail else label,
            facts={"reason": reason, "reason_label": label, "detail": detail},
        )
    return True


def _bound(value, field: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput("A bound is a number, such as 0.8.", field=field) from None
    if not math.isfinite(number):
        raise InvalidInput("A bound is a finite number.", field=field)
    return number


def gate_add(
    *,
    user,
    team: Team,
    risk_ratings: list[str],
    metric: str,
    minimum=None,
    maximum=None,
    job: str = "",
    group: str = "",
) -> list[MetricGate]:
    """Add a metric gate to the team's policy of each rating (a policy of one approval is
    made for a rating without one); each policy gets a new version."""
    _require_manage(user, team)
    metric, job, group = (metric or "").strip(), (job or "").strip(), (group or "").strip()
    problems = []
    if not metric:
        problems.append(("metric", "Name the metric (a name, or a pattern such as auc* )."))
    for field, text in (("metric", metric), ("job", job), ("group", group)):
        if len(text) > 200:
            problems.append((field, "At most 200 characters."))
    ratings = [rating for rating in risk_ratings if rating in RiskRating.values]
    if not ratings or len(ratings) != len(risk_ratings):
        problems.append(("risk_ratings", "Choose the risk ratings the gate applies to."))
    low = high = None
    try:
        low = _bound(minimum, "minimum")
        high = _bound(maximum, "maximum")
    except InvalidInput as error:
        problems.append((error.field, error.message))
    if not problems and low is None and high is None:
        problems.append(("minimum", "Give a lower bound, an upper bound, or both."))
    if low is not None and high is not None and low > high:
        problems.append(("maximum", "The upper bound is below the lower bound."))
    if problems:
        raise InvalidInput(problems[0][1], field=problems[0][0], problems=problems)
    gates = []
    with transaction.atomic():
        for rating in ratings:
            policy, created = ReviewPolicy.objects.select_for_update().get_or_create(
                team=team, risk_rating=rating, defaults={"updated_by": user}
            )
            if not created:
                ReviewPolicy.objects.filter(pk=policy.pk).update(
                    version=F("version") + 1, updated_by=user
                )
                policy.refresh_from_db()
            gate = MetricGate.objects.create(
                policy=policy, job=job, group=group, metric=metric, minimum=low, maximum=high
            )
            gates.append(gate)
            event_record(
                card=None,
                actor=user,
                kind=Kind.POLICY_CHANGE,
                team_id=team.pk,
                detail=f"Team {team.name}, {rating} risk, version {policy.version}: "
                f"metric gate {gate_text(gate_dict(gate))} added",
            )
    return gates


def gate_dict(gate: MetricGate) -> dict:
    return {
        "job": gate.job,
        "group": gate.group,
        "metric": gate.metric,
        "minimum": gate.minimum,
        "maximum": gate.maximum,
    }


def gate_remove(*, user, gate: MetricGate) -> None:
    policy = gate.policy
    _require_manage(user, policy.team)
    with transaction.atomic():
        ReviewPolicy.objects.filter(pk=policy.pk).update(version=F("version") + 1, updated_by=user)
        gate.delete()
        policy.refresh_from_db()
        event_record(
            card=None,
            actor=user,
            kind=Kind.POLICY_CHANGE,
            team_id=policy.team_id,
            detail=f"Team {policy.team.name}, {policy.risk_rating} risk, version "
            f"{policy.version}: metric gate {gate_text(gate_dict(gate))} removed",
        )


def gate_exception_record(*, card: ModelCard, user, revision: int, gate: str, reason: str):
    """A reviewer records why revision ``revision`` may be approved although ``gate`` (its
    text) failed or had no metric. Audited; the attestation carries it."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Say why the card may be approved anyway: a reason is required.", field="reason"
        )
    if len(reason) > 2000:
        raise InvalidInput("A reason has at most 2,000 characters.", field="reason")
    with transaction.atomic():
        current = ModelCard.objects.select_for_update().select_related("team").get(pk=card.pk)
        require(user, current, Action.APPROVE)
        if current.revision != revision:
            raise TransitionRefused(
                f"The card changed since you opened it: it is now revision {current.revision}. "
                "Look at the gates again."
            )
        checks = gate_checks(current, gates_for(current), revision, current.content)
        blocking = {check.result.text for check in checks if check.blocks}
        if gate not in blocking:
            raise InvalidInput(
                "That gate is met, or has an exception already: nothing to record.", field="gate"
            )
        exception = GateException.objects.create(
            card=current, revision=revision, gate=gate, reason=reason, recorded_by=user
        )
        event_record(
            actor=user,
            kind=Kind.GATE_EXCEPTION,
            card=current,
            detail=f"Revision {revision}, gate {gate}: {reason}"[:500],
        )
    return exception
