"""Marks in (api.md, Marking; roles.md): the rules a judge's value must pass, then one transaction
that stores it, appends its revision, and brings the competitor's standings up to date.

Checks run in a fixed order, so each refusal has one status: not a judge of the contest or not
assigned to the aspect or conflicted (403), unknown aspect or competitor (422), contest not open for
marking, module locked, stale `expected_version` or a full panel (409), a value the aspect does not
accept (422). The competitor's row is locked first (SELECT ... FOR UPDATE), so two marks for one
competitor are applied one after the other and its standings never miss either.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from sqlalchemy import bindparam, exists, insert, select, update

from competition import clock
from competition.domain.numbers import format_decimal
from competition.domain.scheme import JUDGEMENT, MEASUREMENT, AspectDef, MarkingScheme
from competition.domain.scoring import AspectResult, MarkValueError, aspect_result, validate_value
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import (
    Competitor,
    CompetitorMember,
    Contest,
    ContestJudge,
    ContestState,
    Mark,
    MarkRevision,
    ModuleLock,
    Person,
    User,
)
from competition.models.contest import ALL_ASPECTS
from competition.models.marking import SHARED_SLOT
from competition.services import access, audit, boards, standings
from competition.services.standings import Values


def employers_of(competitor_id: int) -> set[int]:
    return set(db.session.scalars(select(Person.enterprise_id)
                                  .join(CompetitorMember, CompetitorMember.person_id == Person.id)
                                  .where(CompetitorMember.competitor_id == competitor_id)))


def conflicted(judge_enterprise_id: int | None, competitor_id: int) -> bool:
    """回避: a judge may not mark a competitor (any team member) employed by the judge's enterprise."""
    return judge_enterprise_id is not None and judge_enterprise_id in employers_of(competitor_id)


def judge_enterprise(seat: ContestJudge) -> int | None:
    return seat.enterprise_id if seat.enterprise_id is not None else seat.user.enterprise_id


def seat_conflicted(contest_id: int, user: User, competitor_id: int) -> bool:
    """回避 (roles.md): a judge of the contest, chief or not, employed by the competitor's enterprise
    may not change that competitor's status or time used either."""
    seat = access.seat_of(contest_id, user)
    return seat is not None and conflicted(judge_enterprise(seat), competitor_id)


def module_locked(contest_id: int, module_code: str) -> bool:
    lock = db.session.get(ModuleLock, (contest_id, module_code))
    return lock is not None and lock.locked


def open_for_marking(contest: Contest, module_code: str) -> bool:
    """Does this module take marks now? (The judge's worklist shows it.)"""
    return _open_for_marking(contest, db.session.get(ModuleLock, (contest.id, module_code)))


def _open_for_marking(contest: Contest, lock: ModuleLock | _Lock | None) -> bool:
    """Running contests take marks; a provisional one only in a module reopened by an upheld appeal."""
    if contest.state == ContestState.RUNNING:
        return True
    if contest.state == ContestState.PROVISIONAL:  # only a module an upheld appeal reopened (公示 corrections)
        return lock is not None and not lock.locked and lock.appeal_id is not None
    return False


# --- storing a mark ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MarkResult:
    created: bool
    body: dict[str, Any]


def format_value(aspect: AspectDef, value: Decimal) -> str:
    return str(int(value)) if aspect.type == JUDGEMENT else format_decimal(value, 2)


class _MarkRow(Protocol):
    """A stored mark as put_mark sees it: a row of _MARKS, or the _Stored it has just written."""

    @property
    def id(self) -> int: ...
    @property
    def aspect_code(self) -> str: ...
    @property
    def slot(self) -> int: ...
    @property
    def value(self) -> Decimal: ...
    @property
    def judge_id(self) -> int: ...
    @property
    def version(self) -> int: ...


def mark_body(aspect: AspectDef, mark: _MarkRow) -> dict[str, Any]:
    return {"value": format_value(aspect, mark.value), "version": mark.version, "judge_id": mark.judge_id}


@dataclass(frozen=True)
class _Admitted:
    """A value a judge may enter now: its aspect and module, the competitor's row (locked), the module's
    lock and the value as a number."""
    aspect: AspectDef
    module: Any
    competitor: Any
    lock: _Lock | None
    number: Decimal


def _admit(contest: Contest, user: User, competitor_id: int, aspect_code: str, value: Any) -> _Admitted:
    """May this judge enter this value for this competitor and aspect now? The refusals of api.md (403:
    not a judge, not assigned, 回避; 409: not taking marks, module locked; 422: unknown, invalid value)."""
    connection = db.session.connection()
    seat = connection.execute(_SEAT, {"contest_id": contest.id, "user_id": user.id}).first()
    if seat is None:
        raise ServiceError(403, "You are not a judge of this contest.", reason="not_a_judge")
    scheme: MarkingScheme | None = standings.scheme_of(contest)
    try:
        aspect = scheme.aspect(aspect_code) if scheme else None
    except KeyError:
        aspect = None
    if scheme is None or aspect is None:
        raise ServiceError(422, f"Unknown aspect {aspect_code!r}.", reason="unknown_aspect",
                           errors={"aspect_code": ["Unknown aspect."]})
    if not (seat.aspects == ALL_ASPECTS or aspect_code in seat.aspects):
        raise ServiceError(403, f"You are not assigned to aspect {aspect_code}.", reason="not_assigned")
    module = scheme.module_of(aspect_code)
    judge_enterprise_id = seat.enterprise_id if seat.enterprise_id is not None else user.enterprise_id
    # The competitor's row is the lock every change to its marks takes first (SELECT ... FOR NO KEY UPDATE).
    competitor = connection.execute(_COMPETITOR, {
        "competitor_id": competitor_id, "contest_id": contest.id, "module_code": module.code,
        "enterprise_id": judge_enterprise_id if judge_enterprise_id is not None else -1}).first()
    if competitor is None:
        raise ServiceError(422, "Unknown competitor.", reason="unknown_competitor",
                           errors={"competitor_id": ["Unknown competitor in this contest."]})
    if competitor.conflicted:
        raise ServiceError(403, "Conflict of interest (回避): the competitor is employed by your enterprise.",
                           reason="conflict_of_interest")
    lock = _Lock(competitor.locked, competitor.appeal_id) if competitor.locked is not None else None
    if not _open_for_marking(contest, lock):
        raise ServiceError(409, f"The contest is {contest.state.value}; it does not take marks now.",
                           reason="not_taking_marks")
    if lock is not None and lock.locked:
        raise ServiceError(409, f"Module {module.code} is locked.", reason="module_locked")
    try:
        number = validate_value(aspect, value)
    except MarkValueError as error:
        raise ServiceError(422, str(error), reason="invalid_value", errors={"value": [str(error)]}) from error
    return _Admitted(aspect, module, competitor, lock, number)


def put_mark(contest: Contest, user: User, *, competitor_id: int, aspect_code: str, value: Any,
             expected_version: int | None) -> MarkResult:
    """The hot path of a contest: about ten statements, in SQLAlchemy Core where the ORM buys nothing."""
    connection = db.session.connection()  # Core statements, prepared once (below), on the session's transaction
    admitted = _admit(contest, user, competitor_id, aspect_code, value)
    aspect, competitor, lock, number = admitted.aspect, admitted.competitor, admitted.lock, admitted.number
    # Every mark of this competitor (serialised by the lock above): this slot's row, the panel, and
    # the values its standings are computed from.
    slot = SHARED_SLOT if aspect.type == MEASUREMENT else user.id
    marks: list[Any] = list(connection.execute(_MARKS, {"competitor_id": competitor_id}).all())
    mark = next((m for m in marks if m.aspect_code == aspect_code and m.slot == slot), None)
    current_version = mark.version if mark else 0
    if expected_version is not None and expected_version != current_version:
        raise ServiceError(409, "The mark was changed by someone else (stale expected_version).",
                           reason="stale_version",
                           mark=mark_body(aspect, mark) if mark else None)
    if mark is not None and mark.value == number and mark.judge_id == user.id:
        return MarkResult(False, _answer(contest, aspect, mark, _values(marks)))  # a repeat changes nothing
    if mark is None and sum(m.aspect_code == aspect_code for m in marks) >= aspect.panel_size:
        raise ServiceError(409, f"Aspect {aspect_code} already has its {aspect.panel_size} values.",
                           reason="panel_full")

    appeal_id = lock.appeal_id if lock is not None and not lock.locked else None
    moment = clock.now()
    before = mark_body(aspect, mark) if mark else None
    if mark is None:
        mark_id = connection.execute(_INSERT_MARK, {
            "contest_id": contest.id, "competitor_id": competitor_id, "aspect_code": aspect_code, "slot": slot,
            "judge_id": user.id, "value": number, "version": 1, "updated_at": moment}).scalar_one()
        stored = _Stored(mark_id, aspect_code, slot, number, user.id, 1)
        marks.append(stored)
    else:
        connection.execute(_UPDATE_MARK, {"mark_id": mark.id, "value": number, "judge_id": user.id,
                                          "version": mark.version + 1, "updated_at": moment})
        stored = _Stored(mark.id, aspect_code, slot, number, user.id, mark.version + 1)
        marks[marks.index(mark)] = stored
    _expire(Mark, stored.id)
    connection.execute(_INSERT_REVISION, {
        "mark_id": stored.id, "contest_id": contest.id, "competitor_id": competitor_id, "aspect_code": aspect_code,
        "slot": slot, "judge_id": user.id, "value": number, "version": stored.version, "at": moment,
        "appeal_id": appeal_id})
    values = _values(marks)
    results = standings.recompute_competitor(contest, competitor, values)
    after = {**mark_body(aspect, stored), "competitor_id": competitor_id, "aspect_code": aspect_code}
    if appeal_id is not None:
        after["appeal_id"] = appeal_id
    audit.record("mark.put", f"mark:{stored.id}", contest_id=contest.id, before=before, after=after, actor=user)
    boards.touch(contest.id)
    return MarkResult(mark is None, _answer(contest, aspect, stored, values, results.get(aspect_code)))


_marks = Mark.__table__.c
_SEAT = (select(ContestJudge.aspects, ContestJudge.enterprise_id)
         .where(ContestJudge.contest_id == bindparam("contest_id"), ContestJudge.user_id == bindparam("user_id")))
_COMPETITOR = (
    select(Competitor.id, Competitor.status, Competitor.bib, Competitor.time_used_seconds,
           exists().where(CompetitorMember.competitor_id == Competitor.id, Person.id == CompetitorMember.person_id,
                          Person.enterprise_id == bindparam("enterprise_id")).label("conflicted"),
           select(ModuleLock.locked).where(ModuleLock.contest_id == Competitor.contest_id,
                                           ModuleLock.module_code == bindparam("module_code"))
           .scalar_subquery().label("locked"),
           select(ModuleLock.appeal_id).where(ModuleLock.contest_id == Competitor.contest_id,
                                              ModuleLock.module_code == bindparam("module_code"))
           .scalar_subquery().label("appeal_id"))
    .where(Competitor.id == bindparam("competitor_id"), Competitor.contest_id == bindparam("contest_id"))
    .with_for_update(of=Competitor, key_share=True))  # FOR NO KEY UPDATE: foreign-key checks elsewhere pass
_MARKS = (select(_marks.id, _marks.aspect_code, _marks.slot, _marks.value, _marks.judge_id, _marks.version)
          .where(_marks.competitor_id == bindparam("competitor_id")).order_by(_marks.slot))
_INSERT_MARK = insert(Mark.__table__).returning(_marks.id)
_UPDATE_MARK = (update(Mark.__table__).where(_marks.id == bindparam("mark_id"))
                .values({name: bindparam(name) for name in ("value", "judge_id", "version", "updated_at")}))
_INSERT_REVISION = insert(MarkRevision.__table__)


@dataclass(frozen=True)
class _Lock:
    locked: bool
    appeal_id: int | None


@dataclass(frozen=True)
class _Stored:
    id: int
    aspect_code: str
    slot: int
    value: Decimal
    judge_id: int
    version: int


def _values(marks: Iterable[_MarkRow]) -> dict[str, list[Decimal]]:
    values: dict[str, list[Decimal]] = defaultdict(list)
    for m in marks:  # in slot order, as standings.current_values reads them
        values[m.aspect_code].append(m.value)
    return values


def _expire(model: type[object], ident: int) -> None:
    """A Core write bypasses the session: drop a stale copy of the row it may hold."""
    cached = db.session.identity_map.get(db.session.identity_key(model, ident))
    if cached is not None:
        db.session.expire(cached)


def _answer(contest: Contest, aspect: AspectDef, mark: _MarkRow, values: Values,
            result: AspectResult | None = None) -> dict[str, Any]:
    if result is None:
        result = aspect_result(aspect, values.get(aspect.code, []))
    return {"mark": mark_body(aspect, mark),
            "aspect": {"code": aspect.code, "state": result.state,
                       "mark": format_decimal(result.mark, contest.precision)}}


# --- reading marks ----------------------------------------------------------------------------------------

def list_marks(contest: Contest, user: User, *, competitor_id: int | None,
               aspect_code: str | None) -> list[dict[str, Any]]:
    scheme = standings.scheme_of(contest)
    query = select(Mark).where(Mark.contest_id == contest.id)
    if competitor_id is not None:
        query = query.where(Mark.competitor_id == competitor_id)
    if aspect_code is not None:
        query = query.where(Mark.aspect_code == aspect_code)
    if not access.may_supervise(contest.id, user):
        seat = access.seat_of(contest.id, user)
        if seat is None:
            raise ServiceError(403, "You are not a judge of this contest.", reason="not_a_judge")
        # A judge sees the values they stored, and the shared measurement values they may replace.
        query = query.where((Mark.slot == user.id) | ((Mark.slot == SHARED_SLOT) & (Mark.judge_id == user.id)))
    marks = db.session.scalars(query.order_by(Mark.competitor_id, Mark.aspect_code, Mark.slot)).all()
    if not marks:
        return []
    assert scheme is not None  # marks are entered against the scheme
    return [{"competitor_id": m.competitor_id, "aspect_code": m.aspect_code, "judge_id": m.judge_id,
             "value": format_value(scheme.aspect(m.aspect_code), m.value), "version": m.version,
             "updated_at": m.updated_at} for m in marks]


# --- module locks ------------------------------------------------------------------------------------------

def set_lock(contest: Contest, user: User, module_code: str, *, locked: bool, reason: str | None) -> ModuleLock:
    if not access.is_chief(contest.id, user):
        raise ServiceError(403, "Only the chief judge locks and unlocks modules.", reason="not_chief")
    scheme = standings.scheme_of(contest)
    try:
        scheme.module(module_code) if scheme else (_ for _ in ()).throw(KeyError(module_code))
    except KeyError as error:
        raise ServiceError(404, f"No module {module_code!r} in this contest.", reason="unknown_module") from error
    if not locked and not (reason or "").strip():
        raise ServiceError(422, "Unlocking needs a reason.", reason="reason_required",
                           errors={"reason": ["Missing data for required field."]})
    if contest.state not in (ContestState.RUNNING, ContestState.PROVISIONAL):
        raise ServiceError(409, f"The contest is {contest.state.value}; locks cannot change.", reason="locks_closed")
    lock = db.session.get(ModuleLock, (contest.id, module_code))
    if (lock is not None and lock.locked) == locked:
        raise ServiceError(409, f"Module {module_code} is already {'locked' if locked else 'unlocked'}.",
                           reason="already_locked" if locked else "already_unlocked")
    if lock is None:
        lock = ModuleLock(contest_id=contest.id, module_code=module_code)
        db.session.add(lock)
    lock.locked, lock.changed_by, lock.changed_at = locked, user.id, clock.now()
    lock.reason = reason.strip() if reason else None
    lock.appeal_id = None
    audit.record("module.lock" if locked else "module.unlock", f"contest:{contest.id}/module:{module_code}",
                 contest_id=contest.id, after={"locked": locked, "reason": lock.reason}, actor=user)
    db.session.flush()
    boards.lock_changed(contest.id, module_code, locked)
    return lock


def locks_of(contest: Contest) -> dict[str, bool]:
    scheme = standings.scheme_of(contest)
    rows = {lock.module_code: lock.locked for lock in
            db.session.scalars(select(ModuleLock).where(ModuleLock.contest_id == contest.id))}
    return {module.code: rows.get(module.code, False) for _, module in scheme.modules()} if scheme else {}


# --- the chief judge's overview -------------------------------------------------------------------------

def _values_by_competitor(contest_id: int) -> dict[int, dict[str, list[tuple[int, Decimal]]]]:
    found: dict[int, dict[str, list[tuple[int, Decimal]]]] = defaultdict(lambda: defaultdict(list))
    for competitor_id, aspect_code, judge_id, value in db.session.execute(
            select(Mark.competitor_id, Mark.aspect_code, Mark.judge_id, Mark.value)
            .where(Mark.contest_id == contest_id).order_by(Mark.slot)):
        found[competitor_id][aspect_code].append((judge_id, value))
    return found


def progress(contest: Contest, *, blind: bool = False) -> dict[str, Any]:
    """Per module × competitor: aspects complete of total; and the reconciliation list."""
    scheme = standings.scheme_of(contest)
    if scheme is None:
        return {"modules": [], "competitors": [], "reconciliation": []}
    locks = locks_of(contest)
    values = _values_by_competitor(contest.id)
    people = standings.identities(contest.id)
    options = standings.BoardOptions(blind=blind, team=contest.team_size > 1)
    competitors, reconciliation = [], []
    for competitor_id in sorted(people, key=lambda cid: standings._bib_order(
            standings.competitor_of(people[cid], options))):
        identity = people[competitor_id]
        per_module = {}
        for _, module in scheme.modules():
            done = 0
            states = {}
            for aspect in module.aspects:
                entered = values[competitor_id].get(aspect.code, [])
                result = aspect_result(aspect, [v for _, v in entered])
                states[aspect.code] = result.state
                done += result.complete
                if result.state == "needs_reconciliation":
                    reconciliation.append({
                        "competitor": standings.competitor_of(identity, options), "module_code": module.code,
                        "aspect_code": aspect.code, "aspect_name": aspect.name,
                        "values": [{"judge_id": j, "value": format_value(aspect, v)} for j, v in entered]})
            per_module[module.code] = {"complete": done, "total": len(module.aspects), "aspects": states}
        competitors.append({"competitor": standings.competitor_of(identity, options), "status": identity.status,
                            "modules": per_module})
    modules = [{"code": m.code, "name": m.name, "component": c.code, "locked": locks[m.code],
                "aspects": [{"code": a.code, "name": a.name, "type": a.type} for a in m.aspects]}
               for c, m in scheme.modules()]
    return {"modules": modules, "competitors": competitors, "reconciliation": reconciliation}


def judge_analysis(contest: Contest) -> list[dict[str, Any]]:
    """Per judge: values entered, and the mean deviation from the panel mean (judgement and panel
    aspects), overall and per aspect type."""
    scheme = standings.scheme_of(contest)
    if scheme is None:
        return []
    values = _values_by_competitor(contest.id)
    stats: dict[int, dict[str, Any]] = defaultdict(lambda: {"count": 0, "deviations": defaultdict(list)})
    for per_aspect in values.values():
        for aspect_code, entered in per_aspect.items():
            aspect = scheme.aspect(aspect_code)
            panel_mean = Fraction(sum(v for _, v in entered)) / len(entered)
            for judge_id, value in entered:
                stats[judge_id]["count"] += 1
                if aspect.type != MEASUREMENT and len(entered) > 1:
                    stats[judge_id]["deviations"][aspect.type].append(Fraction(value) - panel_mean)
    judges = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(stats))))} if stats else {}
    result = []
    for judge_id in sorted(stats):
        by_type = stats[judge_id]["deviations"]
        everything = [d for devs in by_type.values() for d in devs]
        result.append({
            "judge_id": judge_id,
            "name": judges[judge_id].display_name if judge_id in judges else str(judge_id),
            "count": stats[judge_id]["count"],
            "mean_deviation": _mean_str(everything),
            "by_type": {kind: {"count": len(devs), "mean_deviation": _mean_str(devs)}
                        for kind, devs in by_type.items()},
        })
    return result


def _mean_str(deviations: list[Fraction]) -> str | None:
    if not deviations:
        return None
    return format_decimal(sum(deviations, Fraction(0)) / len(deviations), 3)
