"""Events of many contests (events.md): settings, their contests, the public overview and the medal table.

Every function works on the current session and only flushes; the API view commits once. Refusals are
`ServiceError`s (the API answers them with the api.md error body). The overview and the medal
table read only the contests' public views, so they show exactly what the public boards show:
visibility, freeze, blind marking and a running results ceremony apply as there.
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from competition.database import get_by_id
from competition.domain.medals import Won, award_code_order, medal_table as build_medal_table
from competition.domain.numbers import round_half_up
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import CompetitorMember, Contest, ContestState, Enterprise, Event, Person
from competition.services import audit, awards, standings
from competition.services.zones import zone_named

EVENTS_CHANGED = "events_changed"  # session.info: ids of events whose contest list changed


def changed(event_id: int) -> None:
    """Note that an event's overview changed in this transaction (`event:update` after commit)."""
    db.session.info.setdefault(EVENTS_CHANGED, set()).add(event_id)


# --- events ----------------------------------------------------------------------------------------------

def find(event_id: int) -> Event:
    event = get_by_id(Event, event_id)
    if event is None:
        raise ServiceError(404, "No such event.")
    return event


def all_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.starts_on.desc(), Event.id.desc())))


def contests_of(event: Event) -> list[Contest]:
    """The event's contests in `contest_ids` order."""
    return list(db.session.scalars(select(Contest).where(Contest.event_id == event.id)
                                   .order_by(Contest.event_position, Contest.id)))


def _check_dates(starts_on: date, ends_on: date, timezone: str | None) -> None:
    errors: dict[str, list[str]] = {}
    if ends_on < starts_on:
        errors["ends_on"] = ["must not be before starts_on"]
    if timezone is not None and zone_named(timezone).key != timezone:
        errors["timezone"] = [f"not a known IANA time zone: {timezone!r}"]
    if errors:
        raise ServiceError(422, "The event is not valid; see errors.", errors=errors)


def create(data: Mapping[str, Any]) -> Event:
    """POST /events."""
    _check_dates(data["starts_on"], data["ends_on"], data.get("timezone"))
    event = Event(name=data["name"].strip(), starts_on=data["starts_on"], ends_on=data["ends_on"],
                  timezone=data.get("timezone"))
    db.session.add(event)
    db.session.flush()
    audit.record("event.create", f"event:{event.id}", after=settings_of(event))
    return event


def update(event: Event, data: Mapping[str, Any]) -> Event:
    """PATCH /events/{id}: name, dates, time zone."""
    values = {**settings_of(event), **{k: v for k, v in data.items()}}
    starts_on = data.get("starts_on", event.starts_on)
    ends_on = data.get("ends_on", event.ends_on)
    _check_dates(starts_on, ends_on, values.get("timezone"))
    before = settings_of(event)
    for key in ("name", "starts_on", "ends_on", "timezone"):
        if key in data:
            setattr(event, key, data[key].strip() if key == "name" else data[key])
    db.session.flush()
    if settings_of(event) != before:
        audit.record("event.update", f"event:{event.id}", before=before, after=settings_of(event))
        changed(event.id)
    return event


def settings_of(event: Event) -> dict[str, Any]:
    return audit.jsonable({"name": event.name, "starts_on": event.starts_on.isoformat(),
                           "ends_on": event.ends_on.isoformat(), "timezone": event.timezone})


def event_dict(event: Event) -> dict[str, Any]:
    return {"id": event.id, "name": event.name, "starts_on": event.starts_on, "ends_on": event.ends_on,
            "timezone": event.timezone, "contest_ids": [c.id for c in contests_of(event)]}


def set_contests(event: Event, contest_ids: Sequence[int]) -> Event:
    """PUT /events/{id}/contests: the event's contests become exactly these, in this order. Contests in
    any state may be attached; one in another event is 409 and nothing changes."""
    if len(set(contest_ids)) != len(contest_ids):
        raise ServiceError(422, "A contest is listed twice.", errors={"contest_ids": ["must not repeat a contest"]})
    found = {c.id: c for c in db.session.scalars(select(Contest).where(Contest.id.in_(contest_ids)))}
    unknown = [cid for cid in contest_ids if cid not in found]
    if unknown:
        raise ServiceError(422, "Unknown contests.", errors={"contest_ids": [f"unknown contests: {unknown}"]})
    elsewhere = [cid for cid in contest_ids if found[cid].event_id not in (None, event.id)]
    if elsewhere:
        raise ServiceError(409, "Some contests belong to another event.",
                           errors={"contest_ids": [f"in another event: {elsewhere}"]}, reason="contest_in_other_event")
    before = [c.id for c in contests_of(event)]
    for contest in contests_of(event):
        if contest.id not in found:
            contest.event_id, contest.event_position = None, None
    for position, contest_id in enumerate(contest_ids):
        found[contest_id].event_id, found[contest_id].event_position = event.id, position
    db.session.flush()
    audit.record("event.contests", f"event:{event.id}", before={"contest_ids": before},
                 after={"contest_ids": list(contest_ids)})
    changed(event.id)
    return event


def place(contest: Contest, event_id: int | None) -> None:
    """A contest's `event_id` set on the contest itself (POST/PATCH /contests): last in the event."""
    if contest.event_id is not None:
        changed(contest.event_id)
    if event_id is None:
        contest.event_id, contest.event_position = None, None
        return
    last = db.session.scalar(select(func.max(Contest.event_position)).where(Contest.event_id == event_id))
    contest.event_id, contest.event_position = event_id, (-1 if last is None else last) + 1
    changed(event_id)


# --- the overview ------------------------------------------------------------------------------------------

TWO_PLACES = 2


def overview(event: Event) -> list[dict[str, Any]]:
    """GET /events/{id}/overview: one row per contest, from its public view."""
    return [overview_row(contest) for contest in contests_of(event)]


def overview_row(contest: Contest) -> dict[str, Any]:
    row: dict[str, Any] = {"contest_id": contest.id, "name": contest.name,
                           "occupation_code": contest.occupation.code, "state": contest.state.value,
                           "progress": "0.00", "leader": None, "ceremony": ceremony_running(contest)}
    if contest.state == ContestState.DRAFT:
        return row
    options = standings.options_for(contest, standings.PUBLIC)
    rows = standings.board_rows(contest, standings.PUBLIC, options)
    row["progress"] = _progress(contest, rows)
    leaders = [r for r in rows if r["rank"] == 1]
    if leaders and not awards.ceremony_held(contest):
        first = min(leaders, key=lambda r: _bib_key(r["competitor"].get("bib") or ""))
        row["leader"] = {"competitor": first["competitor"], "total": first["total"]}
    return row


def ceremony_running(contest: Contest) -> bool:
    """A results ceremony is running on the contest's public board (started, a row still hidden):
    every event screen shows it until it ends (events.md, Event screens)."""
    return contest.reveal_started_at is not None and bool(contest.reveal_position)


def _bib_key(bib: str) -> tuple[tuple[int, int | str], ...]:
    """Bibs in natural order ("2" before "10")."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", bib) if p)


def _progress(contest: Contest, rows: list[dict[str, Any]]) -> str:
    """The share of required marks entered, as the public view shows it: complete aspects of active
    competitors over aspects × active competitors (as of the freeze while the view is frozen)."""
    scheme = standings.scheme_of(contest)
    active = [r for r in rows if r["status"] == "active"]
    aspects = len(list(scheme.aspects())) if scheme is not None else 0
    required = aspects * len(active)
    if required == 0:
        return "0.00"
    entered = sum(min(r["aspects_complete"], aspects) for r in active)
    return format(round_half_up(Fraction(entered, required), TWO_PLACES), "f")


# --- the medal table ---------------------------------------------------------------------------------------

def medal_table(event: Event) -> dict[str, Any]:
    """GET /events/{id}/medal-table: awards the public sees, per enterprise (events.md, Medal table)."""
    contests = contests_of(event)
    names: dict[str, str] = {}
    for contest in contests:
        for award in awards.scheme_of(contest):
            names.setdefault(award.code, award.name)
    codes = award_code_order([[a.code for a in awards.scheme_of(c)] for c in contests])
    won: list[Won] = []
    for contest in contests:
        public = awards.public_award_codes(contest)
        if not public:
            continue
        members = _member_enterprises(list(public))
        won += [Won(code, members.get(competitor_id, ())) for competitor_id, code in public.items()]
    enterprise_ids = {e for w in won for e in w.enterprise_ids}
    enterprise_names: dict[int, str] = dict(db.session.execute(select(Enterprise.id, Enterprise.name)
                                               .where(Enterprise.id.in_(enterprise_ids))).all())
    rows = build_medal_table(codes, won, enterprise_names)
    return {"event_id": event.id, "award_codes": codes, "award_names": names,
            "rows": [{"rank": r.rank, "enterprise": {"id": r.enterprise_id, "name": r.name}, "counts": r.counts,
                      "total_awards": r.total_awards} for r in rows]}


def _member_enterprises(competitor_ids: list[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    for competitor_id, enterprise_id in db.session.execute(
            select(CompetitorMember.competitor_id, Person.enterprise_id)
            .join(Person, Person.id == CompetitorMember.person_id)
            .where(CompetitorMember.competitor_id.in_(competitor_ids))):
        if enterprise_id is not None:
            result.setdefault(competitor_id, []).append(enterprise_id)
    return result


def medal_table_xlsx(event: Event) -> bytes:
    """The medal table as a workbook: 名次, 单位, one column per award (its name), 合计."""
    table = medal_table(event)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "奖牌榜"
    codes = table["award_codes"]
    sheet.append(["名次", "单位", *(table["award_names"].get(c, c) for c in codes), "合计"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table["rows"]:
        sheet.append([row["rank"], None, *(row["counts"][c] for c in codes), row["total_awards"]])
        name_cell = sheet.cell(row=sheet.max_row, column=2)
        name_cell.value = row["enterprise"]["name"]
        name_cell.data_type = "s"  # never a formula
    sheet.column_dimensions["B"].width = 28
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["changed", "contests_of", "create", "event_dict", "find", "medal_table", "medal_table_xlsx", "overview",
           "place", "set_contests", "update"]
