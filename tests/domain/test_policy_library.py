"""competition.domain.policy_library: the ready policies of policy-library.md."""

from __future__ import annotations

from decimal import Decimal

import pytest

from competition.domain.grades import EIGHT_GRADE_TEMPLATE
from competition.domain.policy_library import READY_POLICIES, ReadyPolicy, get_ready_policy
from competition.domain.promotion import Entrant, Outcome, compute_outcomes, policy_to_dict, validate_policy

ALL_LEVELS = (5, 4, 3, 2, 1)


def run(policy_id: str, rank: int, grade: str | None, *, kind: str = "employee", n: int = 20,
        promoted: bool = False) -> Outcome:
    person = Entrant(competitor_id=1, person_id=1, kind=kind, status="active", rank=rank,
                     total=Decimal("75.00"), current_grade_code=grade, promoted_this_year=promoted,
                     scheme=EIGHT_GRADE_TEMPLATE)
    [outcome] = compute_outcomes([person], get_ready_policy(policy_id).policy,
                                 offered_levels=ALL_LEVELS, ranked_count=n)
    return outcome


def target(policy_id: str, rank: int, grade: str | None, **kwargs) -> int | str | None:
    """The proposed level, or the reason code when not eligible."""
    outcome = run(policy_id, rank, grade, **kwargs)
    return outcome.to_level if outcome.status == "proposed" else outcome.reason


def test_every_ready_policy_passes_validation_and_round_trips():
    assert len(READY_POLICIES) >= 7
    for ready in READY_POLICIES:
        data = ready.to_dict()
        assert validate_policy(data["policy"]) == ready.policy
        assert policy_to_dict(validate_policy(data["policy"])) == data["policy"]


def test_every_ready_policy_names_its_rule_and_source():
    ids = [ready.id for ready in READY_POLICIES]
    assert len(set(ids)) == len(ids)
    for ready in READY_POLICIES:
        assert isinstance(ready, ReadyPolicy)
        assert ready.id and ready.id == ready.id.lower() and " " not in ready.id
        assert ready.title_zh and ready.title_en and ready.rule and ready.source
        assert set(ready.to_dict()) == {"id", "title_zh", "title_en", "rule", "source", "policy"}


def test_get_ready_policy():
    assert get_ready_policy("national-skills-contest").title_zh == "全国技能大赛"
    with pytest.raises(KeyError):
        get_ready_policy("nope")


def test_national_contest_top_3_and_top_half_go_to_level_2_holders_to_1():
    policy = get_ready_policy("national-skills-contest").policy
    assert policy.bands[0].ranks == (1, 3) and policy.bands[1].top_percent == 50
    assert run("national-skills-contest", 3, "senior").band == "金银铜牌（前3名）"
    assert target("national-skills-contest", 2, "senior") == 2
    assert run("national-skills-contest", 10, "senior", n=20).band == "优胜奖（前50%）"
    assert target("national-skills-contest", 10, "senior", n=20) == 2
    assert target("national-skills-contest", 11, "senior", n=20) == "no_band"
    assert target("national-skills-contest", 4, "technician", n=7) == "no_band"  # floor(3.5) = 3
    assert target("national-skills-contest", 1, "technician") == 1


def test_tianjin_city_class_1():
    assert target("tianjin-city-class-1", 10, "senior") == 2
    assert target("tianjin-city-class-1", 10, "technician") == 1
    assert target("tianjin-city-class-1", 11, "senior") == "no_band"
    assert target("tianjin-city-class-1", 1, None, kind="student") == 3
    assert target("tianjin-city-class-1", 1, "senior", kind="student") == "already_at_level"


def test_tianjin_city_class_2_and_district():
    assert target("tianjin-city-class-2-district", 6, "intermediate") == 3
    assert target("tianjin-city-class-2-district", 6, "senior") == 2
    assert target("tianjin-city-class-2-district", 1, "technician") == "capped"
    assert target("tianjin-city-class-2-district", 7, "intermediate") == "no_band"
    assert target("tianjin-city-class-2-district", 2, "junior", kind="student") == 4


def test_tianjin_enterprise_or_school_once_per_year():
    assert target("tianjin-enterprise-school", 3, "junior", n=10) == 4
    assert target("tianjin-enterprise-school", 3, "intermediate", n=10) == 3
    assert target("tianjin-enterprise-school", 3, "senior", n=10) == "capped"
    assert target("tianjin-enterprise-school", 4, "junior", n=10) == "no_band"
    assert target("tianjin-enterprise-school", 1, None, kind="student", n=10) == 4
    assert target("tianjin-enterprise-school", 1, "junior", n=10, promoted=True) == "already_promoted_this_year"


def test_anhui_percentage_bands():
    assert target("anhui-provincial-class-1-percent", 4, "senior", n=20) == 2
    assert target("anhui-provincial-class-1-percent", 4, "technician", n=20) == 1
    assert target("anhui-provincial-class-1-percent", 5, "intermediate", n=20) == 3
    assert target("anhui-provincial-class-1-percent", 8, "senior", n=20) == 2
    assert target("anhui-provincial-class-1-percent", 8, "technician", n=20) == "capped"
    assert target("anhui-provincial-class-1-percent", 9, "senior", n=20) == "no_band"


def test_heilongjiang_rank_bands():
    assert target("heilongjiang-class-1", 3, "senior") == 1
    assert target("heilongjiang-class-1", 10, "senior") == 2
    assert target("heilongjiang-class-1", 11, "senior") == "no_band"
    assert target("heilongjiang-class-2", 1, "senior") == 1
    assert target("heilongjiang-class-2", 5, "senior") == 2
    assert target("heilongjiang-class-2", 6, "senior") == "no_band"


def test_zhenxing_cup_capped_raise():
    assert target("zhenxing-cup-capped-raise", 5, "senior") == 2
    assert target("zhenxing-cup-capped-raise", 5, "technician") == 1
    assert target("zhenxing-cup-capped-raise", 6, "intermediate") == 3
    assert target("zhenxing-cup-capped-raise", 20, "senior") == 2
    assert target("zhenxing-cup-capped-raise", 20, "technician") == "capped"
    assert target("zhenxing-cup-capped-raise", 21, "senior") == "no_band"
