import pytest

from cards.models import Role
from governance.services import group_save, policy_save
from tests.factories import make_user


@pytest.fixture
def rex(team_a):
    """A second reviewer of team A (model risk)."""
    return make_user("rex", team=team_a, role=Role.REVIEWER)


@pytest.fixture
def rose(team_a):
    """A third reviewer of team A (legal)."""
    return make_user("rose", team=team_a, role=Role.REVIEWER)


@pytest.fixture
def groups(team_a, rita, rex, rose, sam):
    """Model risk: rita and rex. Legal: rose."""
    return {
        "Model risk": group_save(user=sam, team=team_a, name="Model risk", members=[rita, rex]),
        "Legal": group_save(user=sam, team=team_a, name="Legal", members=[rose]),
    }


@pytest.fixture
def set_policy(team_a, sam):
    def set_policy(rating="Low", required=1, groups=(), **fields):
        return policy_save(
            user=sam,
            team=team_a,
            risk_rating=rating,
            required_approvals=required,
            groups=list(groups),
            **fields,
        )

    return set_policy
