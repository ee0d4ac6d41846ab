"""Ready promotion policies following published rules (policy-library.md).

Each ready policy names the rule it follows and its source. "已具有该等级的，晋升上一级" (holding the
target level already → one level higher) is ``"if_held": "next_level"``; where a rule says what
holders get ("top 6 → level 3 (holders → 2)") a ``cap_level`` keeps them there. Students' targets
are fixed levels (``"if_held": "none"``). HR confirmation stands for the approval the rules require.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from competition.domain.promotion import Policy, policy_to_dict, validate_policy

__all__ = ["READY_POLICIES", "ReadyPolicy", "get_ready_policy"]


@dataclass(frozen=True)
class ReadyPolicy:
    id: str
    title_zh: str
    title_en: str
    rule: str
    source: str
    policy: Policy

    def to_dict(self) -> dict[str, Any]:
        """The JSON form; ``"policy"`` is a policy document ready to attach to a contest."""
        return {
            "id": self.id,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "rule": self.rule,
            "source": self.source,
            "policy": policy_to_dict(self.policy),
        }


def _to_level(level: int, if_held: str = "next_level") -> dict[str, Any]:
    return {"to_level": level, "if_held": if_held}


def _ready(id: str, title_zh: str, title_en: str, rule: str, source: str, **policy: Any) -> ReadyPolicy:
    return ReadyPolicy(id, title_zh, title_en, rule, source, validate_policy(policy))


_TIANJIN = "Tianjin HRSS, 2021 rules restated 2024"
_NATIONAL = "national skills contest rules 2020 and 2023, as restated by provincial HR bureaus"

READY_POLICIES: tuple[ReadyPolicy, ...] = (
    _ready(
        "national-skills-contest", "全国技能大赛", "National skills contest (全国技能大赛 style)",
        "medal (top 3) or 优胜奖 (the rest of the top half of entrants) → level 2; holders of 2 → level 1",
        _NATIONAL,
        bands=[
            {"name": "金银铜牌（前3名）", "ranks": [1, 3], "action": _to_level(2)},
            {"name": "优胜奖（前50%）", "top_percent": 50, "action": _to_level(2)},
        ],
    ),
    _ready(
        "tianjin-city-class-1", "市级一类竞赛（天津）", "City class 1 (Tianjin style)",
        "top 10 → level 2 (holders → 1); students → level 3",
        _TIANJIN,
        bands=[{"name": "前10名", "ranks": [1, 10], "action": _to_level(2)}],
        student_bands=[{"name": "前10名（在校学生）", "ranks": [1, 10], "action": _to_level(3, "none")}],
    ),
    _ready(
        "tianjin-city-class-2-district", "市级二类及区级竞赛（天津）", "City class 2 / district (Tianjin style)",
        "top 6 → level 3 (holders → 2); students → level 4",
        _TIANJIN,
        bands=[{"name": "前6名", "ranks": [1, 6], "action": _to_level(3), "cap_level": 2}],
        student_bands=[{"name": "前6名（在校学生）", "ranks": [1, 6], "action": _to_level(4, "none")}],
    ),
    _ready(
        "tianjin-enterprise-school", "企业、院校竞赛（天津）", "Enterprise or school contest (Tianjin style)",
        "top 30% → level 4 (holders → 3); students → level 4; one contest promotion per person per year",
        _TIANJIN,
        once_per_year=True,
        bands=[{"name": "前30%", "top_percent": 30, "action": _to_level(4), "cap_level": 3}],
        student_bands=[{"name": "前30%（在校学生）", "top_percent": 30, "action": _to_level(4, "none")}],
    ),
    _ready(
        "anhui-provincial-class-1-percent", "省级一类竞赛按比例（安徽）",
        "Provincial class 1 by percentage (Anhui style)",
        "top 20% → level 2 (holders → 1); 21–40% → level 3 (holders → 2); "
        "only occupations with a national standard",
        "Anhui 2023",
        bands=[
            {"name": "前20%", "top_percent": 20, "action": _to_level(2)},
            {"name": "21%-40%", "top_percent": 40, "action": _to_level(3), "cap_level": 2},
        ],
    ),
    _ready(
        "heilongjiang-class-1", "省级一类竞赛名次（黑龙江，技师标准）",
        "Provincial class 1 rank bands (Heilongjiang style, 技师 standard)",
        "class 1: ranks 1–3 → level 1, 4–10 → level 2",
        "黑人社函〔2017〕132号",
        bands=[
            {"name": "第1-3名", "ranks": [1, 3], "action": _to_level(1)},
            {"name": "第4-10名", "ranks": [4, 10], "action": _to_level(2)},
        ],
    ),
    _ready(
        "heilongjiang-class-2", "省级二类竞赛名次（黑龙江，技师标准）",
        "Provincial class 2 rank bands (Heilongjiang style, 技师 standard)",
        "class 2: rank 1 → level 1, 2–5 → level 2",
        "黑人社函〔2017〕132号",
        bands=[
            {"name": "第1名", "ranks": [1, 1], "action": _to_level(1)},
            {"name": "第2-5名", "ranks": [2, 5], "action": _to_level(2)},
        ],
    ),
    _ready(
        "zhenxing-cup-capped-raise", "振兴杯（限高晋升）", "Capped raise (振兴杯 style)",
        "top 5 → level 2 or 1; ranks 6–20 → one level up, never above level 2",
        "振兴杯 national class 1 (2006)",
        bands=[
            {"name": "前5名", "ranks": [1, 5], "action": _to_level(2)},
            {"name": "第6-20名", "ranks": [6, 20], "action": {"raise_levels": 1}, "cap_level": 2},
        ],
    ),
)


def get_ready_policy(policy_id: str) -> ReadyPolicy:
    """The ready policy with this id; ``KeyError`` when there is none."""
    for ready in READY_POLICIES:
        if ready.id == policy_id:
            return ready
    raise KeyError(policy_id)
