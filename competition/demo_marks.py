"""The demo's marking scheme and plausible marks, entered through the marking service as judges'
tablets would (competition.demo, competition.demo_event and competition.simulate use them)."""
from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from competition.extensions import db
from competition.models import Contest, ContestJudge, User
from competition.services import entries, marking

SCHEME: dict[str, Any] = {"components": [
    {"code": "T", "name": "理论知识", "weight": "30", "modules": [
        {"code": "T1", "name": "理论考试", "aspects": [
            {"code": "T1a", "name": "单项选择题", "type": "measurement", "max_mark": "40"},
            {"code": "T1b", "name": "多项选择题", "type": "measurement", "max_mark": "30"},
            {"code": "T1c", "name": "判断题", "type": "measurement", "max_mark": "30"},
        ]},
    ]},
    {"code": "P", "name": "操作技能", "weight": "70", "modules": [
        {"code": "A", "name": "模块A 安装接线", "aspects": [
            {"code": "A1", "name": "接线正确率", "type": "measurement", "max_mark": "20",
             "description": "按图纸逐点测量，错一处扣2分"},
            {"code": "A2", "name": "工艺美观", "type": "judgement", "max_mark": "10",
             "description": "线槽整齐、线号清晰、压接可靠；0 差 · 1 合格 · 2 良好 · 3 优秀"},
            {"code": "A3", "name": "安全文明生产", "type": "judgement", "max_mark": "5",
             "description": "劳保用品、工具摆放、场地清理"},
        ]},
        {"code": "B", "name": "模块B 调试运行", "aspects": [
            {"code": "B1", "name": "功能调试", "type": "measurement", "max_mark": "25",
             "description": "按任务书逐项通电验证"},
            {"code": "B2", "name": "故障排除", "type": "panel", "max_mark": "30", "panel_size": 5,
             "aggregate": "trimmed", "trim": 1, "description": "五名裁判独立评分，去掉最高最低分取平均"},
            {"code": "B3", "name": "整体质量", "type": "panel", "max_mark": "10", "panel_size": 5,
             "aggregate": "mean"},
        ]},
    ]},
]}


# --- plausible marks ---------------------------------------------------------------------------------

def skill_of(competitor_id: int) -> float:
    """A stable 0.55..0.97 ability per competitor, so marks across aspects agree with each other."""
    return 0.55 + (competitor_id * 7919 % 43) / 100


def plausible(aspect: dict[str, Any], skill: float, rng: random.Random) -> str:
    if aspect["type"] == "judgement":  # judges one step apart at most: the spread needs no reconciliation
        return str(max(0, min(3, round(skill * 3 + rng.uniform(-0.45, 0.45)))))
    top = Decimal(aspect["max_mark"])
    value = Decimal(str(max(0.0, min(1.0, skill + rng.uniform(-0.08, 0.08))))) * top
    return str(value.quantize(Decimal("0.5")))


def open_slots(contest: Contest, judge_ids: list[int]) -> list[tuple[int, int, dict[str, Any]]]:
    """(judge id, competitor id, aspect) for every value still missing, respecting 回避, panel sizes
    and locked modules."""
    from competition.models import Mark

    taken: dict[tuple[int, str], set[int]] = {}
    for competitor_id, aspect_code, slot in db.session.execute(
            select(Mark.competitor_id, Mark.aspect_code, Mark.slot).where(Mark.contest_id == contest.id)):
        taken.setdefault((competitor_id, aspect_code), set()).add(slot)
    seats = {s.user_id: s.enterprise_id
             for s in db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == contest.id))}
    locked = {code for code, is_locked in marking.locks_of(contest).items() if is_locked}
    slots = []
    for competitor in entries.competitors_of(contest):
        employers = marking.employers_of(competitor.id)
        for component in SCHEME["components"]:
            for module in component["modules"]:
                if module["code"] in locked:
                    continue
                for aspect in module["aspects"]:
                    have = taken.get((competitor.id, aspect["code"]), set())
                    size = aspect.get("panel_size", 3 if aspect["type"] == "judgement" else 1)
                    if len(have) >= size:
                        continue
                    eligible = [j for j in judge_ids if seats[j] not in employers and j not in have]
                    slots += [(judge, competitor.id, aspect) for judge in eligible[:size - len(have)]]
    return slots


def enter_marks(contest: Contest, judges: list[User], rng: random.Random) -> None:
    """Theory complete and locked, module A mostly marked, module B begun: a contest in progress."""
    progress = {"T1": 1.0, "A": 0.8, "B": 0.25}
    by_id = {judge.id: judge for judge in judges}
    for judge_id, competitor_id, aspect in open_slots(contest, list(by_id)):
        module = next(m["code"] for c in SCHEME["components"] for m in c["modules"]
                      if aspect in m["aspects"])
        if rng.random() > progress[module]:
            continue
        marking.put_mark(contest, by_id[judge_id], competitor_id=competitor_id, aspect_code=aspect["code"],
                         value=plausible(aspect, skill_of(competitor_id), rng), expected_version=None)
    chief = judges[-1]
    marking.set_lock(contest, chief, "T1", locked=True, reason=None)
