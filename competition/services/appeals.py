"""Appeals (申诉) and arbitration (仲裁) of provisional results (scoring.md; api.md Contests).

An organiser records an appeal for a competitor while the contest is provisional and its appeal
window (provisional_at .. provisional_at + appeal_window_minutes) is open. The decision is recorded
once, with a reason: `dismissed` changes nothing; `upheld` unlocks the modules of the named aspects
(ModuleLock.locked=False, appeal_id set) so the chief judge can correct marks — the marking service
stores the appeal id on every mark changed there — and lock again. Undecided appeals block final
(lifecycle.open_appeals). Functions only flush; the API view commits.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from competition import clock
from competition.database import MAX_ID
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Appeal, Competitor, Contest, ContestState, ModuleLock, User
from competition.models.appeal import DECISIONS, UPHELD
from competition.services import audit, boards, standings
from competition.services.contests import find_competitor


def window_open(contest: Contest, now: datetime) -> bool:
    closes = appeal_window_closes_at(contest)
    return (contest.state == ContestState.PROVISIONAL and contest.provisional_at is not None
            and closes is not None and contest.provisional_at <= now < closes)


def appeals_of(contest: Contest) -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).where(Appeal.contest_id == contest.id).order_by(Appeal.id)))


def undecided(contest: Contest) -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).where(Appeal.contest_id == contest.id,
                                                        Appeal.decision.is_(None)).order_by(Appeal.id)))


def find(appeal_id: int, *, for_update: bool = False) -> Appeal:
    appeal: Appeal | None = None
    if 0 < appeal_id <= MAX_ID:
        query = select(Appeal).where(Appeal.id == appeal_id)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        appeal = db.session.scalar(query)
    if appeal is None:
        raise ServiceError(404, "No such appeal.")
    return appeal


def file(contest: Contest, data: Mapping[str, Any], user: User, now: datetime | None = None) -> Appeal:
    """POST /contests/{id}/appeals: 409 outside the window, 422 unknown competitor or aspects."""
    now = now or clock.now()
    if contest.state != ContestState.PROVISIONAL:
        raise ServiceError(409, f"Appeals are recorded only while results are provisional "
                           f"(the contest is {contest.state.value}).", reason="not_provisional")
    if not window_open(contest, now):
        closes = appeal_window_closes_at(contest)
        raise ServiceError(409, "The appeal window is closed.",
                           errors={"appeal_window_closes_at": closes.isoformat() if closes else None},
                           reason="appeal_window_closed")
    errors: dict[str, list[str]] = {}
    competitor: Competitor | None
    try:
        competitor = find_competitor(contest, data["competitor_id"])
    except ServiceError:
        competitor = None
        errors["competitor_id"] = ["no such competitor in this contest"]
    codes = list(dict.fromkeys(code.strip() for code in data["aspect_codes"]))
    scheme = standings.scheme_of(contest)
    known = {a.code for _, _, a in scheme.aspects()} if scheme else set()
    unknown = [code for code in codes if code not in known]
    if unknown or not codes:
        errors["aspect_codes"] = [f"unknown aspect codes: {', '.join(unknown)}" if unknown
                                  else "name at least one aspect"]
    grounds = (data.get("grounds") or "").strip()
    if not grounds:
        errors["grounds"] = ["required"]
    if errors:
        raise ServiceError(422, "The appeal is not valid; see errors.", errors=errors)
    assert competitor is not None  # errors name it otherwise
    appeal = Appeal(contest_id=contest.id, competitor_id=competitor.id, aspect_codes=codes, grounds=grounds,
                    filed_at=now, filed_by=user.id)
    db.session.add(appeal)
    db.session.flush()
    audit.record("appeal.file", f"appeal:{appeal.id}", contest_id=contest.id,
                 after={"competitor_id": competitor.id, "aspect_codes": codes, "grounds": grounds})
    return appeal


def modules_of(contest: Contest, aspect_codes: list[str]) -> list[str]:
    scheme = standings.scheme_of(contest)
    codes: list[str] = []
    if scheme is None:
        return codes
    for _, module, aspect in scheme.aspects():
        if aspect.code in aspect_codes and module.code not in codes:
            codes.append(module.code)
    return codes


def decide(contest: Contest, appeal: Appeal, data: Mapping[str, Any], user: User,
           now: datetime | None = None) -> Appeal:
    """POST /appeals/{aid}/decide: once; `upheld` unlocks the named aspects' modules."""
    now = now or clock.now()
    decision, reason = data.get("decision"), (data.get("reason") or "").strip()
    errors: dict[str, list[str]] = {}
    if decision not in DECISIONS:
        errors["decision"] = [f"one of {', '.join(DECISIONS)}"]
    if not reason:
        errors["reason"] = ["required"]
    if errors:
        raise ServiceError(422, "The decision is not valid; see errors.", errors=errors)
    if appeal.decision is not None:
        raise ServiceError(409, f"Appeal #{appeal.id} is already decided ({appeal.decision}).",
                           reason="appeal_decided")
    if contest.state != ContestState.PROVISIONAL:
        raise ServiceError(409, f"Appeals are decided only while results are provisional "
                           f"(the contest is {contest.state.value}).", reason="not_provisional")
    appeal.decision, appeal.reason, appeal.decided_at, appeal.decided_by = decision, reason, now, user.id
    unlocked: list[str] = []
    if decision == UPHELD:
        for module_code in modules_of(contest, appeal.aspect_codes):
            lock = db.session.get(ModuleLock, (contest.id, module_code))
            if lock is None:
                lock = ModuleLock(contest_id=contest.id, module_code=module_code)
                db.session.add(lock)
            lock.locked, lock.changed_by, lock.changed_at = False, user.id, now
            lock.reason, lock.appeal_id = f"申诉 #{appeal.id} 成立", appeal.id
            unlocked.append(module_code)
            audit.record("module.unlock", f"contest:{contest.id}/module:{module_code}", contest_id=contest.id,
                         after={"locked": False, "reason": lock.reason, "appeal_id": appeal.id})
    db.session.flush()
    for module_code in unlocked:
        boards.lock_changed(contest.id, module_code, False)
    audit.record("appeal.decide", f"appeal:{appeal.id}", contest_id=contest.id, before={"decision": None},
                 after={"decision": decision, "reason": reason, "unlocked_modules": unlocked})
    return appeal


def appeal_dict(appeal: Appeal) -> dict[str, Any]:
    return {"id": appeal.id, "contest_id": appeal.contest_id, "competitor_id": appeal.competitor_id,
            "aspect_codes": list(appeal.aspect_codes), "grounds": appeal.grounds, "filed_at": appeal.filed_at,
            "filed_by": appeal.filed_by, "decision": appeal.decision,
            "status": appeal.decision or "open", "reason": appeal.reason, "decided_at": appeal.decided_at,
            "decided_by": appeal.decided_by, "version": appeal.version}


def appeal_window_closes_at(contest: Contest) -> datetime | None:
    if contest.provisional_at is None:
        return None
    return contest.provisional_at + timedelta(minutes=contest.appeal_window_minutes)
