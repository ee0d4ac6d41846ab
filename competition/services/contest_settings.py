"""A contest's settings: create, change (which setting may change in which state), and read back
(api.md, POST and PATCH /contests). Functions only flush; the API view commits once."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from competition.database import get_by_id
from competition.domain.promotion import PolicyError, policy_to_dict, validate_policy
from competition.domain.ranking import TieBreakerError, validate_tie_breakers
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Contest, ContestState, Occupation, User
from competition.services import audit, awards, boards, entries, standings
from competition.services.zones import DEFAULT_TIMEZONE, EARLIEST_MOMENT, LATEST_MOMENT, as_utc, known_zone

DRAFT, RUNNING, PROVISIONAL, FINAL = (ContestState.DRAFT, ContestState.RUNNING, ContestState.PROVISIONAL,
                                      ContestState.FINAL)


# Which settings may change in which state (api.md, PATCH /contests/{id}); nothing changes once final.
ANYTIME = frozenset({"name", "tier", "timezone", "starts_at", "ends_at", "visibility", "freeze_at", "ceremony"})
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
        "ceremony": contest.ceremony,
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
    if "team_size" in changed and entries.competitor_count(contest):
        raise ServiceError(409, "Competitors are already entered; the team size cannot change.",
                           errors={"team_size": ["competitors are already entered"]}, reason="team_size_fixed")
    if changed.get("blind") and entries.competitors_without_marking_no(contest):
        raise ServiceError(409, "Every competitor needs a marking number before blind marking is switched on.",
                           errors={"blind": ["competitors without a marking_no: "
                                      + ", ".join(entries.competitors_without_marking_no(contest))]},
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
    zone = known_zone(tz_name)
    if zone is None:
        errors["timezone"] = [f"not a known IANA time zone: {tz_name!r}"]
    for key in ("starts_at", "ends_at", "freeze_at"):
        moment = values.get(key)
        if moment is None or (moment.tzinfo is None and zone is None):
            continue  # an unknown zone is reported above
        moment = as_utc(moment, zone)
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


def _apply(contest: Contest, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        if key == "occupation_code":
            contest.occupation = db.session.scalars(select(Occupation).where(Occupation.code == value)).one()
        elif key == "event_id":
            from competition.services import events

            events.place(contest, value)
        else:
            setattr(contest, key, value)
