"""Who takes part in a contest: its competitors (a person or a team) and its judges with their aspects
(api.md, Competitors and Judges; roles.md)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from competition.database import get_by_id
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
from competition.models.contest import ALL_ASPECTS
from competition.services import access, audit, boards, standings

DRAFT, RUNNING, PROVISIONAL, FINAL = (ContestState.DRAFT, ContestState.RUNNING, ContestState.PROVISIONAL,
                                      ContestState.FINAL)


def add_competitor(contest: Contest, data: Mapping[str, Any]) -> Competitor:
    """POST /contests/{id}/competitors: one person, or a team of exactly team_size people."""
    if contest.state not in (DRAFT, RUNNING):
        raise ServiceError(409, f"Competitors can only be entered in a draft or running contest "
                           f"(it is {contest.state.value}).", reason="entries_closed")
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    person_ids, field = _member_ids(contest, data)
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    unknown = [pid for pid in person_ids if pid not in people]
    if unknown:
        raise ServiceError(422, "Unknown people.",
                           errors={field: [f"unknown person ids: {', '.join(map(str, unknown))}"]})
    _check_unique_entry(contest, data, person_ids, field)
    competitor = Competitor(contest_id=contest.id, bib=data["bib"], station=data.get("station"),
                            marking_no=data.get("marking_no"), team_name=data.get("team_name"), status="active")
    competitor.members = [CompetitorMember(contest_id=contest.id, person_id=pid, position=position)
                          for position, pid in enumerate(person_ids)]
    db.session.add(competitor)
    db.session.flush()
    standings.recompute_competitor(contest, competitor)
    boards.touch(contest.id)
    audit.record("competitor.add", f"competitor:{competitor.id}", contest_id=contest.id,
                 after={"bib": competitor.bib, "station": competitor.station, "marking_no": competitor.marking_no,
                        "team_name": competitor.team_name, "person_ids": person_ids})
    return competitor


def _member_ids(contest: Contest, data: Mapping[str, Any]) -> tuple[list[int], str]:
    """The person ids of the entry and the field that named them (422 when the shape is wrong)."""
    person_id, member_ids = data.get("person_id"), data.get("member_ids")
    individual = contest.team_size == 1
    field = "person_id" if person_id is not None or (individual and member_ids is None) else "member_ids"
    ids = [person_id] if person_id is not None else list(member_ids or [])
    errors: dict[str, list[str]] = {}
    if person_id is not None and member_ids is not None:
        errors["member_ids"] = ["give either person_id or member_ids"]
    elif not ids:
        errors[field] = ["required"]
    elif len(ids) != contest.team_size or len(set(ids)) != len(ids):
        errors[field] = ["this is an individual event: give one person_id" if individual
                         else f"a team has exactly {contest.team_size} different people (member_ids)"]
    if individual and data.get("team_name"):
        errors["team_name"] = ["only team events have team names"]
    if not data.get("marking_no") and contest.blind:
        errors["marking_no"] = ["a blind contest needs a marking number (加密号) for each competitor"]
    if errors:
        raise ServiceError(422, "The competitor is not valid; see errors.", errors=errors)
    return ids, field


def _check_unique_entry(contest: Contest, data: Mapping[str, Any], person_ids: list[int], field: str) -> None:
    errors: dict[str, list[str]] = {}
    taken = select(Competitor.id).where(Competitor.contest_id == contest.id)
    if db.session.scalar(taken.where(Competitor.bib == data["bib"])) is not None:
        errors["bib"] = [f"bib {data['bib']!r} is already used in this contest"]
    if data.get("marking_no") and db.session.scalar(taken.where(Competitor.marking_no == data["marking_no"])):
        errors["marking_no"] = [f"marking number {data['marking_no']!r} is already used in this contest"]
    entered = sorted(db.session.scalars(select(CompetitorMember.person_id).where(
        CompetitorMember.contest_id == contest.id, CompetitorMember.person_id.in_(person_ids))))
    if entered:
        errors[field] = [f"already entered in this contest: {', '.join(map(str, entered))}"]
    if errors:
        raise ServiceError(409, "This competitor conflicts with an existing entry; see errors.", errors=errors,
                           reason="entry_conflict")


def update_competitor(contest: Contest, competitor: Competitor, data: Mapping[str, Any]) -> Competitor:
    """PATCH /contests/{id}/competitors/{cid}: status, time used (tie-breaker), station, marking number."""
    if contest.state == FINAL:
        raise ServiceError(409, "The contest is final; reopen it to change a competitor.", reason="contest_final")
    fields = ("status", "time_used_seconds", "station", "marking_no")
    before = {k: getattr(competitor, k) for k in fields}
    changes = {k: data[k] for k in fields if k in data and data[k] != before[k]}
    if "marking_no" in changes:
        _check_marking_no(contest, competitor, changes["marking_no"])
    if not changes:
        return competitor
    for key, value in changes.items():
        setattr(competitor, key, value)
    if "status" in changes:
        competitor.status_reason = data.get("reason")
    db.session.flush()
    standings.recompute_competitor(contest, competitor)
    if "status" in changes:
        standings.follow_status_while_frozen(contest, competitor)
    boards.touch(contest.id)
    audit.record("competitor.update", f"competitor:{competitor.id}", contest_id=contest.id,
                 before={k: before[k] for k in changes}, after={**changes, "reason": data.get("reason")})
    return competitor


def _check_marking_no(contest: Contest, competitor: Competitor, marking_no: str | None) -> None:
    if not marking_no:
        if contest.blind:
            raise ServiceError(422, "A blind contest needs a marking number for each competitor.",
                               errors={"marking_no": ["required in a blind contest"]})
        return
    other = db.session.scalar(select(Competitor.id).where(Competitor.contest_id == contest.id,
                                                          Competitor.marking_no == marking_no,
                                                          Competitor.id != competitor.id))
    if other is not None:
        raise ServiceError(409, "This marking number is already used.", errors={"marking_no": ["already used"]})


def competitors_of(contest: Contest) -> list[Competitor]:
    return list(db.session.scalars(select(Competitor).where(Competitor.contest_id == contest.id)
                                   .order_by(Competitor.id)))


def competitor_count(contest: Contest) -> int:
    return len(db.session.scalars(select(Competitor.id).where(Competitor.contest_id == contest.id)).all())


def competitors_without_marking_no(contest: Contest) -> list[str]:
    return list(db.session.scalars(select(Competitor.bib).where(Competitor.contest_id == contest.id,
                                                                Competitor.marking_no.is_(None))))


def add_judge(contest: Contest, data: Mapping[str, Any]) -> ContestJudge:
    """POST /contests/{id}/judges: a user with the judge role, for some aspects or "all"."""
    if contest.state == FINAL:
        raise ServiceError(409, "The contest is final; reopen it to assign judges.", reason="contest_final")
    user = db.session.get(User, data["user_id"])
    errors: dict[str, list[str]] = {}
    if user is None:
        errors["user_id"] = ["unknown user"]
    elif user.role != Role.JUDGE or not user.active:
        errors["user_id"] = ["the user must be an active account with the judge role"]
    aspects = _check_aspects(contest, data["aspects"], errors)
    if errors:
        raise ServiceError(422, "The judge assignment is not valid; see errors.", errors=errors)
    assert user is not None  # errors name it otherwise
    if access.seat_of(contest.id, user) is not None:
        raise ServiceError(409, "This judge is already assigned to the contest.",
                           errors={"user_id": ["already assigned"]},
                           reason="judge_already_assigned")
    judge = ContestJudge(contest_id=contest.id, user_id=user.id, chief=data["chief"], aspects=aspects,
                         enterprise_id=user.enterprise_id)
    db.session.add(judge)
    db.session.flush()
    audit.record("judge.assign", f"contest_judge:{judge.id}", contest_id=contest.id,
                 after={"user_id": user.id, "chief": judge.chief, "aspects": aspects,
                        "enterprise_id": judge.enterprise_id})
    return judge


def update_judge(contest: Contest, judge: ContestJudge, data: Mapping[str, Any]) -> ContestJudge:
    """PATCH /contests/{id}/judges/{jid}: change the chief flag or the aspects."""
    if contest.state == FINAL:
        raise ServiceError(409, "The contest is final; reopen it to change judges.", reason="contest_final")
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if "aspects" in data:
        changes["aspects"] = _check_aspects(contest, data["aspects"], errors)
    if "chief" in data:
        changes["chief"] = data["chief"]
    if errors:
        raise ServiceError(422, "The judge assignment is not valid; see errors.", errors=errors)
    before = {k: getattr(judge, k) for k in changes}
    for key, value in changes.items():
        setattr(judge, key, value)
    db.session.flush()
    audit.record("judge.update", f"contest_judge:{judge.id}", contest_id=contest.id, before=before, after=changes)
    return judge


def withdraw_judge(contest: Contest, judge: ContestJudge) -> None:
    """DELETE /contests/{id}/judges/{jid}: the judge leaves the contest. Marks already entered stay
    (they were entered under the assignment and are in the audit log; another assigned judge replaces a
    shared measurement value, the chief judge reconciles a panel); the judge can enter no more."""
    if contest.state == FINAL:
        raise ServiceError(409, "The contest is final; reopen it to withdraw judges.", reason="contest_final")
    marks = db.session.scalar(select(func.count()).select_from(Mark).where(
        Mark.contest_id == contest.id, Mark.judge_id == judge.user_id))
    before = {"user_id": judge.user_id, "chief": judge.chief, "aspects": judge.aspects,
              "enterprise_id": judge.enterprise_id, "marks_kept": marks}
    db.session.delete(judge)
    db.session.flush()
    audit.record("judge.withdraw", f"contest_judge:{judge.id}", contest_id=contest.id, before=before)


def find_judge(contest: Contest, judge_id: int) -> ContestJudge:
    judge = get_by_id(ContestJudge, judge_id)
    if judge is None or judge.contest_id != contest.id:
        raise ServiceError(404, "No such judge in this contest.")
    return judge


def judges_of(contest: Contest) -> list[ContestJudge]:
    return list(db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == contest.id)
                                   .order_by(ContestJudge.id)))


def _check_aspects(contest: Contest, aspects: list[str] | str, errors: dict[str, list[str]]) -> list[str] | str:
    if aspects == ALL_ASPECTS:
        return ALL_ASPECTS
    scheme = standings.scheme_of(contest)
    if scheme is None:
        errors["aspects"] = ['the contest has no marking scheme yet: assign "all" or set the scheme first']
        return aspects
    known = {a.code for _, _, a in scheme.aspects()}
    unknown = [code for code in aspects if code not in known]
    if unknown:
        errors["aspects"] = [f"unknown aspect codes: {', '.join(unknown)}"]
    return list(dict.fromkeys(aspects))
