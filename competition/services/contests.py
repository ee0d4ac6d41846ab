"""Contests: settings, marking scheme, competitors, judges and the lifecycle (api.md Contests,
scoring.md, roles.md).

Every function works on the current session and only flushes; the API view commits once. Rules that
are pure (schemes, tie-breakers, policies) live in competition.domain; this module applies them to
stored contests, keeps the standings caches and live boards informed, and writes the audit log.
Failures are `ServiceError`s (competition.errors), answered with the api.md error body.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, select

from competition.database import MAX_ID, get_by_id
from competition.domain.promotion import PolicyError, policy_to_dict, validate_policy
from competition.domain.ranking import TieBreakerError, validate_tie_breakers
from competition.domain.scheme import MarkingScheme, SchemeError, build_scheme, scheme_to_dict
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import (Competitor, CompetitorMember, Contest, ContestJudge, ContestState, Mark, ModuleLock,
                                Occupation, Person, Role, Standing, User)
from competition.models.contest import ALL_ASPECTS
from competition.services import access, audit, awards, boards, promotions, standings

DRAFT, RUNNING, PROVISIONAL, FINAL = (ContestState.DRAFT, ContestState.RUNNING, ContestState.PROVISIONAL,
                                      ContestState.FINAL)
DEFAULT_TIMEZONE = "Asia/Shanghai"


# --- finding contests ----------------------------------------------------------------------------------

def find(contest_id: int, user: User | None, *, for_update: bool = False) -> Contest:
    """The contest, or 404: unknown, or a draft asked for by anyone but staff (api.md, Contests)."""
    contest = None
    if 0 < contest_id <= MAX_ID:
        query = select(Contest).where(Contest.id == contest_id)
        if for_update:  # serialise state changes of one contest (no-op on SQLite)
            query = query.with_for_update(of=Contest)
        contest = db.session.scalar(query)
    if contest is None or (contest.state == DRAFT and not access.is_staff(user)):
        raise ServiceError(404, "No such contest.")
    return contest


def visible_contests(user: User | None) -> list[Contest]:
    query = select(Contest).order_by(Contest.starts_at.desc(), Contest.id.desc())
    if not access.is_staff(user):
        query = query.where(Contest.state != DRAFT)
    return list(db.session.scalars(query))


def find_competitor(contest: Contest, competitor_id: int) -> Competitor:
    competitor = get_by_id(Competitor, competitor_id)
    if competitor is None or competitor.contest_id != contest.id:
        raise ServiceError(404, "No such competitor in this contest.")
    return competitor


def viewer_options(contest: Contest, user: User | None, view: str) -> standings.BoardOptions:
    """What `user` may see of a view (GET /standings, exports): 401/403 for the jury view without the
    right; a chief judge of a blind contest sees marking numbers only until the contest is final."""
    if view == standings.JURY:
        if user is None:
            raise ServiceError(401, "Sign in first (a bearer token or a session).")
        if not access.may_supervise(contest.id, user):
            raise ServiceError(403, "The jury view is for the contest's chief judge and organizers.")
        return standings.options_for(contest, standings.JURY, blind=access.numbers_only(contest, user))
    return standings.options_for(contest, standings.PUBLIC)


# --- settings --------------------------------------------------------------------------------------------

# Which settings may change in which state (api.md, PATCH /contests/{id}); nothing changes once final.
ANYTIME = frozenset({"name", "tier", "timezone", "starts_at", "ends_at", "visibility", "freeze_at"})
UNTIL_PROVISIONAL = frozenset({"appeal_window_minutes", "event_id"})
DRAFT_ONLY = frozenset({"occupation_code", "precision", "blind", "team_size", "tie_breakers",
                        "promotion_policy", "awards"})


def create(data: Mapping[str, Any], user: User) -> Contest:
    """POST /contests: a draft contest (defaults already applied by the request schema)."""
    values = _clean_settings(data, None)
    contest = Contest(state=DRAFT, created_by=user.id, scheme=None, scheme_version=0)
    _apply(contest, values)
    db.session.add(contest)
    db.session.flush()
    boards.ensure_views(contest.id)
    audit.record("contest.create", f"contest:{contest.id}", after=settings_of(contest), contest_id=contest.id)
    return contest


def update(contest: Contest, data: Mapping[str, Any]) -> Contest:
    """PATCH /contests/{id}: only fields that really change count, so a form may resend everything."""
    values = _clean_settings(data, contest)
    current = settings_of(contest)
    changed = {k: v for k, v in values.items() if audit.jsonable(v) != current.get(k)}
    if not changed:
        return contest
    _check_changeable(contest, changed)
    before = {k: current.get(k) for k in changed}
    _apply(contest, changed)
    if "freeze_at" in changed:
        contest.unfrozen_at = None  # a new freeze applies again, even after an earlier unfreeze
    if changed.keys() & {"precision", "tie_breakers"}:
        standings.rebuild(contest)
        boards.touch(contest.id)
    if changed.keys() & {"freeze_at", "visibility"}:
        standings.rebuild(contest, [standings.PUBLIC])
        boards.state_changed(contest)
    audit.record("contest.update", f"contest:{contest.id}", before=before, after=changed, contest_id=contest.id)
    return contest


def settings_of(contest: Contest) -> dict[str, Any]:
    """The settings as plain JSON values (for comparing and for the audit log)."""
    return audit.jsonable({
        "name": contest.name, "occupation_code": contest.occupation.code if contest.occupation else None,
        "tier": contest.tier, "timezone": contest.timezone, "starts_at": contest.starts_at,
        "ends_at": contest.ends_at, "visibility": contest.visibility, "freeze_at": contest.freeze_at,
        "precision": contest.precision, "blind": contest.blind, "team_size": contest.team_size,
        "appeal_window_minutes": contest.appeal_window_minutes, "tie_breakers": contest.tie_breakers or [],
        "promotion_policy": contest.promotion_policy, "awards": contest.awards, "event_id": contest.event_id,
    })


def _check_changeable(contest: Contest, changed: Mapping[str, Any]) -> None:
    if contest.state == FINAL:
        raise ServiceError(409, "A final contest's settings cannot change; reopen it first.", reason="contest_final")
    allowed = set(ANYTIME)
    if contest.state in (DRAFT, RUNNING):
        allowed |= UNTIL_PROVISIONAL
    if contest.state == DRAFT:
        allowed |= DRAFT_ONLY
    refused = sorted(changed.keys() - allowed)
    if refused:
        raise ServiceError(409, f"These settings cannot change while the contest is {contest.state.value}.",
                           errors={field: ["can only change while the contest is a draft"
                                    if field in DRAFT_ONLY else "can only change before provisional results"]
                            for field in refused}, reason="settings_fixed")
    if "team_size" in changed and _competitor_count(contest):
        raise ServiceError(409, "Competitors are already entered; the team size cannot change.",
                           errors={"team_size": ["competitors are already entered"]}, reason="team_size_fixed")
    if changed.get("blind") and _competitors_without_marking_no(contest):
        raise ServiceError(409, "Every competitor needs a marking number before blind marking is switched on.",
                           errors={"blind": ["competitors without a marking_no: "
                                      + ", ".join(_competitors_without_marking_no(contest))]},
                           reason="marking_numbers_missing")


def _clean_settings(data: Mapping[str, Any], contest: Contest | None) -> dict[str, Any]:
    """Validate what the schema cannot check alone; returns values ready for the model.

    Naive datetimes are read in the contest's time zone (a form's datetime-local input)."""
    errors: dict[str, list[str]] = {}
    values = dict(data)
    if "occupation_code" in values:
        occupation = db.session.scalar(select(Occupation).where(Occupation.code == values["occupation_code"]))
        if occupation is None:
            errors["occupation_code"] = [f"unknown occupation {values['occupation_code']!r}"]
    tz_name = values.get("timezone") or (contest.timezone if contest else DEFAULT_TIMEZONE)
    zone = _zone(tz_name)
    if zone is None:
        errors["timezone"] = [f"not a known IANA time zone: {tz_name!r}"]
    for key in ("starts_at", "ends_at", "freeze_at"):
        moment = values.get(key)
        if moment is None or (moment.tzinfo is None and zone is None):
            continue  # an unknown zone is reported above
        moment = _as_utc(moment, zone)
        if moment is None:
            errors[key] = [f"must lie between {EARLIEST_MOMENT:%Y-%m-%d} and {LATEST_MOMENT:%Y-%m-%d} (UTC)"]
        else:
            values[key] = moment
    starts = values.get("starts_at", contest.starts_at if contest else None)
    ends = values.get("ends_at", contest.ends_at if contest else None)
    if (starts is not None and ends is not None and not errors.keys() & {"timezone", "starts_at", "ends_at"}
            and ends <= starts):
        errors["ends_at"] = ["must be after starts_at"]
    if "tie_breakers" in values:
        try:
            values["tie_breakers"] = validate_tie_breakers(values["tie_breakers"], None)
            scheme = standings.scheme_of(contest) if contest else None
            if scheme is not None:
                validate_tie_breakers(values["tie_breakers"], scheme)
        except TieBreakerError as error:
            errors[error.path] = [str(error)]
    if values.get("promotion_policy") is not None:
        try:
            values["promotion_policy"] = policy_to_dict(validate_policy(values["promotion_policy"]))
        except PolicyError as error:
            for path, messages in error.errors.items():
                key = "promotion_policy" if path == "_schema" else f"promotion_policy.{path}"
                errors.setdefault(key, []).extend(messages)
    _clean_event_settings(values, errors)
    if errors:
        raise ServiceError(422, "Some settings are not valid; see errors.", errors=errors)
    if "name" in values:
        values["name"] = values["name"].strip()
    return values


def _clean_event_settings(values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """events.md: the award scheme (422 naming the entry) and an existing event to belong to."""
    if "awards" in values:
        try:
            values["awards"] = awards.clean_scheme(values["awards"])
        except awards.AwardSchemeError as error:
            for path, messages in error.errors.items():
                errors.setdefault(path, []).extend(messages)
    if values.get("event_id") is not None:
        from competition.models import Event

        if get_by_id(Event, values["event_id"]) is None:
            errors["event_id"] = [f"unknown event {values['event_id']}"]


# The span a contest's times may lie in. Far enough inside datetime's years 1 to 9999 that the times
# convert to any time zone and a contest's calendar year has a next one (promotions.py), which a
# year 1 or 9999 would make an OverflowError (a 500) instead of a 422.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST_MOMENT = datetime(2999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


def _as_utc(moment: datetime, zone: ZoneInfo | None) -> datetime | None:
    """`moment` in UTC (a naive one read in `zone`), or None outside EARLIEST_MOMENT..LATEST_MOMENT."""
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        moment = moment.astimezone(timezone.utc)
    except OverflowError:  # beyond year 1 or 9999 once in UTC
        return None
    return moment if EARLIEST_MOMENT <= moment <= LATEST_MOMENT else None


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_named(name: str | None) -> ZoneInfo:
    """The IANA time zone `name`; the project's default zone for a missing or unknown name."""
    return (_zone(name) if name else None) or ZoneInfo(DEFAULT_TIMEZONE)


def contest_zone(contest: Contest) -> ZoneInfo:
    """The contest's time zone (api.md: dates that decide a year are taken in it), shown times too."""
    return zone_named(contest.timezone)


def _apply(contest: Contest, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        if key == "occupation_code":
            contest.occupation = db.session.scalar(select(Occupation).where(Occupation.code == value))
        elif key == "event_id":
            from competition.services import events

            events.place(contest, value)
        else:
            setattr(contest, key, value)


# --- the marking scheme ----------------------------------------------------------------------------------

def set_scheme(contest: Contest, raw: object) -> MarkingScheme:
    """PUT /contests/{id}/marking-scheme: validate, store (version + 1), rebuild the standings."""
    require_draft_for_scheme(contest)
    try:
        scheme = build_scheme(raw)
    except SchemeError as error:
        raise ServiceError(422, "The marking scheme is not valid; see errors.", errors=error.errors) from None
    _check_scheme_fits(contest, scheme)
    before = {"scheme_version": contest.scheme_version, "scheme": contest.scheme}
    contest.scheme = scheme_to_dict(scheme)
    contest.scheme_version += 1
    standings.rebuild(contest)
    boards.touch(contest.id)
    audit.record("contest.scheme", f"contest:{contest.id}", before=before,
                 after={"scheme_version": contest.scheme_version, "scheme": contest.scheme}, contest_id=contest.id)
    return scheme


def require_draft_for_scheme(contest: Contest) -> None:
    if contest.state != DRAFT:
        raise ServiceError(409, "The marking scheme can only change while the contest is a draft.",
                           reason="scheme_fixed")


def _check_scheme_fits(contest: Contest, scheme: MarkingScheme) -> None:
    """The stored tie-breakers and judge assignments must still name codes of the new scheme (409)."""
    errors: dict[str, list[str]] = {}
    try:
        validate_tie_breakers(contest.tie_breakers or [], scheme)
    except TieBreakerError as error:
        errors[error.path] = [f"the contest's tie-breakers: {error}"]
    aspect_codes = {a.code for _, _, a in scheme.aspects()}
    for judge in db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == contest.id)):
        if judge.aspects != ALL_ASPECTS and set(judge.aspects) - aspect_codes:
            missing = ", ".join(sorted(set(judge.aspects) - aspect_codes))
            errors.setdefault("judges", []).append(f"judge {judge.user_id} is assigned to aspects not in "
                                                   f"the new scheme: {missing}")
    if errors:
        raise ServiceError(409, "The new marking scheme does not fit the contest's settings; see errors.",
                           errors=errors,
                           reason="scheme_misfit")


# --- competitors -----------------------------------------------------------------------------------------

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


def _competitor_count(contest: Contest) -> int:
    return len(db.session.scalars(select(Competitor.id).where(Competitor.contest_id == contest.id)).all())


def _competitors_without_marking_no(contest: Contest) -> list[str]:
    return list(db.session.scalars(select(Competitor.bib).where(Competitor.contest_id == contest.id,
                                                                Competitor.marking_no.is_(None))))


# --- judges ---------------------------------------------------------------------------------------------

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


# --- the lifecycle: draft → running → provisional → final (scoring.md; api.md transition) ----------

RUNNING_AGAIN = "running_again"
TARGETS = ("running", "provisional", "final", RUNNING_AGAIN)
_FROM = {"running": {DRAFT}, "provisional": {RUNNING}, "final": {RUNNING, PROVISIONAL},
         RUNNING_AGAIN: {PROVISIONAL, FINAL}}


def transitions_from(state: ContestState) -> list[str]:
    """The targets a contest in `state` may be sent to (the organiser's page offers these; `transition`
    still checks the rest: scheme, locks, appeals, confirmed promotions)."""
    return [to for to in TARGETS if state in _FROM[to]]


def open_appeals(contest: Contest) -> list[dict[str, Any]]:
    """Appeals of the contest not yet decided; they block final (scoring.md, 申诉)."""
    from competition.services import appeals

    return [{"id": a.id, "competitor_id": a.competitor_id, "aspect_codes": list(a.aspect_codes)}
            for a in appeals.undecided(contest)]


def confirmed_promotions(contest: Contest) -> int:
    """How many promotion proposals of the contest HR has confirmed; any blocks reopening."""
    return promotions.confirmed_count(contest.id)


def transition(contest: Contest, to: str, reason: str | None, now: datetime | None = None) -> Contest:
    """POST /contests/{id}/transition. Refusals are 409 (422 for a reopen without a reason)."""
    now = now or standings.now()
    if to == RUNNING_AGAIN and not (reason and reason.strip()):
        raise ServiceError(422, "Reopening a contest needs a reason.",
                           errors={"reason": ["required to reopen a contest"]},
                           reason="reason_required")
    if contest.state not in _FROM[to]:
        raise ServiceError(409, f"A {contest.state.value} contest cannot go to {to}.", reason="transition_not_allowed")
    before = contest.state
    {"running": _start, "provisional": _publish_provisional, "final": _finalise,
     RUNNING_AGAIN: _reopen}[to](contest, now)
    audit.record("contest.transition", f"contest:{contest.id}", contest_id=contest.id,
                 before={"state": before.value}, after={"state": contest.state.value, "to": to, "reason": reason})
    boards.state_changed(contest)
    return contest


def _start(contest: Contest, now: datetime) -> None:
    if standings.scheme_of(contest) is None:
        raise ServiceError(409, "Set the marking scheme before starting the contest.",
                           errors={"marking_scheme": ["required before the contest runs"]}, reason="scheme_missing")
    contest.state = RUNNING


def _publish_provisional(contest: Contest, now: datetime) -> None:
    unlocked = unlocked_modules(contest)
    if unlocked:
        raise ServiceError(409, "Every module must be locked before provisional results are published.",
                           errors={"unlocked_modules": unlocked}, reason="modules_unlocked")
    contest.state, contest.provisional_at = PROVISIONAL, now


def _finalise(contest: Contest, now: datetime) -> None:
    if contest.state == RUNNING and contest.appeal_window_minutes > 0:
        raise ServiceError(409, f"This contest has an appeal window of {contest.appeal_window_minutes} minutes: "
                           "publish provisional results first.", reason="provisional_first")
    errors: dict[str, Any] = missing_for_final(contest)
    if contest.state == PROVISIONAL:
        closes = appeal_window_closes_at(contest)
        if closes is not None and now < closes:
            errors["appeal_window_closes_at"] = closes.isoformat()
        appeals = open_appeals(contest)
        if appeals:
            errors["open_appeals"] = appeals
    if errors:
        raise ServiceError(409, "The contest cannot be final yet; see errors for what is missing.", errors=errors,
                           reason="not_ready_for_final")
    contest.state, contest.final_at = FINAL, now
    standings.rebuild(contest)  # the public view unfreezes at final
    _compute_promotions(contest)
    awards.decide(contest)


def _compute_promotions(contest: Contest) -> None:
    """promotion.md: the outcomes are computed when the contest becomes final (none without a policy)."""
    promotions.compute_for_contest(contest)


def _reopen(contest: Contest, now: datetime) -> None:
    confirmed = confirmed_promotions(contest)
    if confirmed:
        raise ServiceError(409, f"{confirmed} promotion(s) of this contest are already confirmed; it cannot reopen.",
                           reason="promotions_confirmed")
    if (contest.state == FINAL and contest.freeze_at is not None and contest.freeze_at <= now
            and contest.unfrozen_at is None):
        contest.unfrozen_at = now  # the final results were public: reopening does not freeze them again
    contest.state, contest.final_at, contest.provisional_at = RUNNING, None, None
    contest.reveal_started_at, contest.reveal_position = None, None
    standings.rebuild(contest)
    promotions.discard_unconfirmed(contest)  # none is confirmed: checked above
    awards.discard(contest)


def appeal_window_closes_at(contest: Contest) -> datetime | None:
    if contest.provisional_at is None:
        return None
    return contest.provisional_at + timedelta(minutes=contest.appeal_window_minutes)


def unlocked_modules(contest: Contest) -> list[str]:
    scheme = standings.scheme_of(contest)
    if scheme is None:
        return []
    locked = set(db.session.scalars(select(ModuleLock.module_code).where(ModuleLock.contest_id == contest.id,
                                                                         ModuleLock.locked.is_(True))))
    return [module.code for _, module in scheme.modules() if module.code not in locked]


def incomplete_competitors(contest: Contest) -> list[dict[str, Any]]:
    """Active competitors whose jury standing is not complete (a missing row counts as incomplete)."""
    rows = db.session.execute(
        select(Competitor.id, Competitor.bib, Standing.complete)
        .join(Standing, and_(Standing.competitor_id == Competitor.id, Standing.view == standings.JURY),
              isouter=True)
        .where(Competitor.contest_id == contest.id, Competitor.status == "active")
        .order_by(Competitor.id))
    return [{"id": cid, "bib": bib} for cid, bib, complete in rows if not complete]


def missing_for_final(contest: Contest) -> dict[str, Any]:
    """What keeps a contest from being final: unlocked modules, incomplete active competitors."""
    missing: dict[str, Any] = {}
    unlocked = unlocked_modules(contest)
    if unlocked:
        missing["unlocked_modules"] = unlocked
    incomplete = incomplete_competitors(contest)
    if incomplete:
        missing["incomplete_competitors"] = incomplete
    return missing


def unfreeze(contest: Contest, now: datetime | None = None) -> Contest:
    """POST /contests/{id}/unfreeze: the public sees everything from now on."""
    now = now or standings.now()
    if contest.state == FINAL:
        raise ServiceError(409, "A final contest is not frozen.", reason="not_frozen")
    if contest.freeze_at is None or contest.unfrozen_at is not None:
        raise ServiceError(409, "The contest has no freeze to lift.", reason="not_frozen")
    contest.unfrozen_at = now
    standings.rebuild(contest, [standings.PUBLIC])
    boards.state_changed(contest)
    audit.record("contest.unfreeze", f"contest:{contest.id}", contest_id=contest.id,
                 before={"freeze_at": contest.freeze_at}, after={"unfrozen_at": now})
    return contest


def scheme_summary(contest: Contest) -> list[dict[str, Any]]:
    """Components and modules (codes, names, weights, maxima): what boards label their columns with."""
    scheme = standings.scheme_of(contest)
    if scheme is None:
        return []
    return [{"code": c.code, "name": c.name, "weight": format(c.weight, "f"), "max_mark": format(c.max_mark, "f"),
             "modules": [{"code": m.code, "name": m.name, "max_mark": format(m.max_mark, "f")} for m in c.modules]}
            for c in scheme.components]
