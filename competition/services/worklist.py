"""The judge's worklist (roles.md: conflict of interest, blind marking; api.md Marking).

What a judge's tablet needs to mark a contest: the modules and their locks, the aspects assigned to
this judge with the values they accept, the competitors this judge may mark (never a conflicted one:
回避), and per competitor × assigned aspect this judge's own value and version (for a measurement:
the shared value), the aspect's state and whether its module is locked.

In a blind contest that is not final, competitors are identified by `id` and `marking_no` only:
no name, bib, station or enterprise ever leaves this module for a judge.
"""
from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from competition.domain.scheme import JUDGEMENT, MARK_PLACES, AspectDef
from competition.domain.scoring import aspect_result
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import (
    Competitor,
    CompetitorMember,
    Contest,
    ContestJudge,
    ContestState,
    Mark,
    Person,
    Role,
    User,
)
from competition.models.marking import SHARED_SLOT
from competition.services import access, marking, standings

# Running and provisional contests first (they take marks), then final ones; drafts are not shown.
_STATE_ORDER = {ContestState.RUNNING: 0, ContestState.PROVISIONAL: 1, ContestState.FINAL: 2}

JUDGEMENT_VALUES = ("0", "1", "2", "3")


def judge_contests(user: User) -> list[dict[str, Any]]:
    """GET /judge/contests: the contests the caller judges, those taking marks first."""
    if user.role != Role.JUDGE:
        raise ServiceError(403, "Only judges have a judging worklist.")
    seats = list(db.session.execute(
        select(ContestJudge, Contest).join(Contest, Contest.id == ContestJudge.contest_id)
        .where(ContestJudge.user_id == user.id, Contest.state != ContestState.DRAFT)))
    seats.sort(key=lambda pair: (_STATE_ORDER.get(pair[1].state, 9), -pair[1].starts_at.timestamp(), -pair[1].id))
    return [{"id": contest.id, "name": contest.name, "state": contest.state.value,
             "occupation": contest.occupation.name if contest.occupation else None,
             "starts_at": contest.starts_at, "ends_at": contest.ends_at, "timezone": contest.timezone,
             "blind": access.is_blind(contest),
             "chief": seat.chief, "aspects": seat.aspects} for seat, contest in seats]


def _natural(text: str | None) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text or ""))


def aspect_info(aspect: AspectDef, module_code: str) -> dict[str, Any]:
    judgement = aspect.type == JUDGEMENT
    return {"code": aspect.code, "name": aspect.name, "type": aspect.type, "module_code": module_code,
            "max_mark": format(aspect.max_mark, "f"), "panel_size": aspect.panel_size,
            "decimals": 0 if judgement else MARK_PLACES,
            "min": "0", "max": "3" if judgement else format(aspect.max_mark, "f"),
            "values": list(JUDGEMENT_VALUES) if judgement else None,
            "description": aspect.description or ""}


def allowed_competitors(contest: Contest, seat: ContestJudge) -> list[Competitor]:
    """The contest's competitors minus those with any member employed by the judge's enterprise."""
    enterprise_id = marking.judge_enterprise(seat)
    competitors = list(db.session.scalars(select(Competitor).where(Competitor.contest_id == contest.id)))
    if enterprise_id is None:
        return competitors
    conflicted = set(db.session.scalars(
        select(CompetitorMember.competitor_id).join(Person, Person.id == CompetitorMember.person_id)
        .where(CompetitorMember.contest_id == contest.id, Person.enterprise_id == enterprise_id)))
    return [c for c in competitors if c.id not in conflicted]


def worklist(contest: Contest, user: User) -> dict[str, Any]:
    """GET /contests/{id}/worklist for a judge of the contest (403 for anyone else)."""
    seat = access.seat_of(contest.id, user)
    if seat is None:
        raise ServiceError(403, "You are not a judge of this contest.")
    blind = access.is_blind(contest)
    scheme = standings.scheme_of(contest)
    locks = marking.locks_of(contest) if scheme else {}
    modules: list[dict[str, Any]] = []
    aspects: list[dict[str, Any]] = []
    if scheme is not None:
        for _, module in scheme.modules():
            mine = [a for a in module.aspects if seat.assigned_to(a.code)]
            if not mine:
                continue
            modules.append({"code": module.code, "name": module.name, "locked": locks.get(module.code, False),
                            "open": marking.open_for_marking(contest, module.code),
                            "aspects": [a.code for a in mine]})
            aspects.extend(aspect_info(a, module.code) for a in mine)
    competitors = allowed_competitors(contest, seat)
    competitors.sort(key=lambda c: (_natural(c.marking_no if blind else c.bib), c.id))
    assigned = {a["code"]: scheme.aspect(a["code"]) for a in aspects} if scheme else {}
    module_of = {a["code"]: a["module_code"] for a in aspects}
    values, own = _marks(contest.id, [c.id for c in competitors], list(assigned), user.id)
    rows = []
    for competitor in competitors:
        marks = []
        for code, aspect in assigned.items():
            entered = values[competitor.id][code]
            mark = own.get((competitor.id, code))
            marks.append({
                "aspect_code": code,
                "value": marking.format_value(aspect, mark.value) if mark else None,
                "version": mark.version if mark else 0,
                "mine": bool(mark and mark.judge_id == user.id),
                "state": aspect_result(aspect, entered).state,
                "locked": locks.get(module_of[code], False),
            })
        rows.append({**competitor_identity(competitor, blind), "status": competitor.status, "marks": marks})
    return {
        "contest": {"id": contest.id, "name": contest.name, "state": contest.state.value, "blind": blind,
                    "precision": contest.precision,
                    "occupation": contest.occupation.name if contest.occupation else None},
        "judge": {"user_id": user.id, "name": user.display_name or user.username, "chief": seat.chief},
        "modules": modules,
        "aspects": aspects,
        "competitors": rows,
    }


def competitor_identity(competitor: Competitor, blind: bool) -> dict[str, Any]:
    if blind:
        return {"id": competitor.id, "marking_no": competitor.marking_no}
    return {"id": competitor.id, "marking_no": competitor.marking_no, "bib": competitor.bib,
            "station": competitor.station, "name": competitor.display_name}


def _marks(contest_id: int, competitor_ids: list[int], aspect_codes: list[str],
           user_id: int) -> tuple[dict[int, dict[str, list[Decimal]]], dict[tuple[int, str], Mark]]:
    """All values per competitor × aspect (for the states) and the caller's own marks (for a
    measurement: the shared one)."""
    values: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    own: dict[tuple[int, str], Mark] = {}
    if not competitor_ids or not aspect_codes:
        return values, own
    scheme_marks = db.session.scalars(select(Mark).where(Mark.contest_id == contest_id,
                                                         Mark.competitor_id.in_(competitor_ids),
                                                         Mark.aspect_code.in_(aspect_codes)))
    for mark in scheme_marks:
        values[mark.competitor_id][mark.aspect_code].append(mark.value)
        if mark.slot in (SHARED_SLOT, user_id):
            own[(mark.competitor_id, mark.aspect_code)] = mark
    return values, own


__all__ = ["allowed_competitors", "competitor_identity",
           "judge_contests", "worklist"]
