"""competition.services.access answers each who-may-see question once (issue 20)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from competition.models import ContestState, Role
from competition.services import access

PACKAGE = Path(__file__).resolve().parent.parent / "competition"


def test_the_blind_rule_is_written_once():
    hits = [f"{path.relative_to(PACKAGE)}:{number}"
            for path in PACKAGE.rglob("*.py")
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if "blind and" in line]
    assert hits == ["services/access.py:" + hits[0].split(":")[1]], hits


def test_the_staff_roles_are_defined_once():
    spelled = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
               if "(Role.ADMIN, Role.ORGANIZER)" in path.read_text(encoding="utf-8")]
    assert spelled == ["services/access.py"]


@pytest.mark.parametrize("state, role, numbers_only", [
    (ContestState.RUNNING, Role.JUDGE, True),
    (ContestState.PROVISIONAL, Role.JUDGE, True),
    (ContestState.FINAL, Role.JUDGE, False),
    (ContestState.RUNNING, Role.ORGANIZER, False),
    (ContestState.RUNNING, Role.ADMIN, False),
])
def test_judges_of_a_blind_contest_see_marking_numbers_until_final(state, role, numbers_only):
    contest = SimpleNamespace(blind=True, state=state)
    assert access.numbers_only(contest, SimpleNamespace(role=role)) is numbers_only
    assert access.public_ids(contest) is (state == ContestState.FINAL)
    assert access.numbers_only(SimpleNamespace(blind=False, state=state), SimpleNamespace(role=role)) is False
    assert access.numbers_only(contest, None) is False


def test_who_sees_identity_numbers():
    assert access.sees_identity(SimpleNamespace(role=Role.ADMIN, enterprise_id=None), 7)
    assert access.sees_identity(SimpleNamespace(role=Role.HR, enterprise_id=7), 7)
    assert not access.sees_identity(SimpleNamespace(role=Role.HR, enterprise_id=8), 7)
    assert not access.sees_identity(SimpleNamespace(role=Role.ORGANIZER, enterprise_id=7), 7)
    assert not access.sees_identity(None, 7)
    assert access.is_staff(SimpleNamespace(role=Role.ORGANIZER)) and not access.is_staff(None)
