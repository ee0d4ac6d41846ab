"""The request and response shapes of the contests API (api.md, Contests), and the dicts views answer."""
from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, validate

from competition.api.schemas import CODE, NAME, REASON, SYMBOL, Id, Out, Strict
from competition.domain.ranking import STATUSES
from competition.models import Competitor, Contest
from competition.models.contest import ALL_ASPECTS, TIERS
from competition.services import appeals, boards, contest_scheme, lifecycle, zones

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- schemas -----------------------------------------------------------------------------------------

def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be blank")


class ContestPatch(Strict):
    """Settings; any subset may be sent to PATCH. Naive times are read in the contest's time zone."""

    name = fields.String(validate=[NAME, not_blank])
    occupation_code = fields.String(validate=CODE)
    tier = fields.String(validate=validate.OneOf(TIERS))
    timezone = fields.String(validate=validate.Length(min=1, max=64), metadata={"example": "Asia/Shanghai"})
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    visibility = fields.String(validate=validate.OneOf(("live", "final_only")))
    freeze_at = fields.DateTime(allow_none=True)
    precision = fields.Integer(strict=True, validate=validate.Range(0, 4))
    blind = fields.Boolean()
    ceremony = fields.Boolean(metadata={"description": "hold the results for the ceremony (live.md)"})
    team_size = fields.Integer(strict=True, validate=validate.Range(1, 3))
    appeal_window_minutes = fields.Integer(strict=True, validate=validate.Range(0, 43200))
    tie_breakers = fields.Raw(metadata={"type": "array", "items": {"type": "object"},
                                        "example": [{"component": "P"}, {"time_used": "asc"}]})
    promotion_policy = fields.Raw(allow_none=True, metadata={"type": "object"})
    awards = fields.Raw(allow_none=True, metadata={
        "type": "array", "items": {"type": "object"},
        "example": [{"code": "first", "name": "一等奖", "top_percent": 10}],
        "description": "award scheme (events.md): ranks [a, b] or top_percent (cumulative?), min_total?"})
    event_id = Id(strict=True, allow_none=True, metadata={"description": "the event the contest belongs to"})


class ContestIn(ContestPatch):
    name = fields.String(required=True, validate=[NAME, not_blank])
    occupation_code = fields.String(required=True, validate=CODE)
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    timezone = fields.String(load_default=zones.DEFAULT_TIMEZONE, validate=validate.Length(min=1, max=64))
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    visibility = fields.String(load_default="live", validate=validate.OneOf(("live", "final_only")))
    freeze_at = fields.DateTime(load_default=None, allow_none=True)
    precision = fields.Integer(load_default=2, strict=True, validate=validate.Range(0, 4))
    blind = fields.Boolean(load_default=False)
    ceremony = fields.Boolean(load_default=False)
    team_size = fields.Integer(load_default=1, strict=True, validate=validate.Range(1, 3))
    appeal_window_minutes = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 43200))
    tie_breakers = fields.Raw(load_default=list, metadata={"type": "array", "items": {"type": "object"}})
    promotion_policy = fields.Raw(load_default=None, allow_none=True, metadata={"type": "object"})
    awards = fields.Raw(load_default=None, allow_none=True, metadata={"type": "array", "items": {"type": "object"}})


class ContestOut(Out):
    """Public fields; staff (admin, organizer) also get the scheme, policy and bookkeeping."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    occupation_code = fields.String()
    occupation_name = fields.String()
    tier = fields.String()
    timezone = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    visibility = fields.String()
    freeze_at = fields.DateTime(allow_none=True)
    frozen = fields.Boolean()
    precision = fields.Integer()
    blind = fields.Boolean()
    ceremony = fields.Boolean()
    team_size = fields.Integer()
    appeal_window_minutes = fields.Integer()
    tie_breakers = fields.Raw()
    state = fields.String(required=True)
    provisional_at = fields.DateTime(allow_none=True)
    appeal_window_closes_at = fields.DateTime(allow_none=True)
    final_at = fields.DateTime(allow_none=True)
    components = fields.Raw(metadata={"description": "components and modules: codes, names, weights, maxima"})
    awards = fields.Raw(allow_none=True, metadata={"description": "the award scheme (events.md)"})
    event_id = fields.Integer(allow_none=True)
    # staff only
    unfrozen_at = fields.DateTime(allow_none=True)
    scheme = fields.Raw(allow_none=True)
    scheme_version = fields.Integer()
    promotion_policy = fields.Raw(allow_none=True)
    is_demo = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


def contest_dict(contest: Contest, staff: bool) -> dict[str, Any]:
    data = {
        "id": contest.id, "name": contest.name, "occupation_code": contest.occupation.code,
        "occupation_name": contest.occupation.name, "tier": contest.tier, "timezone": contest.timezone,
        "starts_at": contest.starts_at, "ends_at": contest.ends_at, "visibility": contest.visibility,
        "freeze_at": contest.freeze_at, "frozen": boards.is_frozen(contest), "precision": contest.precision,
        "blind": contest.blind, "ceremony": contest.ceremony, "team_size": contest.team_size,
        "appeal_window_minutes": contest.appeal_window_minutes, "tie_breakers": contest.tie_breakers or [],
        "state": contest.state.value, "provisional_at": contest.provisional_at,
        "appeal_window_closes_at": appeals.appeal_window_closes_at(contest), "final_at": contest.final_at,
        "components": contest_scheme.scheme_summary(contest), "awards": contest.awards, "event_id": contest.event_id,
    }
    if staff:
        data.update(unfrozen_at=contest.unfrozen_at, scheme=contest.scheme, scheme_version=contest.scheme_version,
                    promotion_policy=contest.promotion_policy, is_demo=contest.is_demo,
                    created_at=contest.created_at, updated_at=contest.updated_at)
    return data


class SchemeIn(Strict):
    components = fields.Raw(required=True, metadata={
        "type": "array", "items": {"type": "object"},
        "description": 'components: [{"code","name","weight","modules":[{"code","name","aspects":'
                       '[{"code","name","type","max_mark","panel_size"?,"aggregate"?,"trim"?,"max_spread"?,'
                       '"description"?}]}]}]'})


class SchemeOut(Out):
    scheme_version = fields.Integer(required=True)
    components = fields.Raw(required=True)


class SchemeFile(Strict):
    file = Upload(required=True, metadata={"description": ".xlsx, one row per aspect"})


class CompetitorIn(Strict):
    person_id = Id(strict=True)
    member_ids = fields.List(Id(strict=True), validate=validate.Length(1, 3))
    team_name = fields.String(validate=[NAME, not_blank])
    bib = fields.String(required=True, validate=SYMBOL)
    station = fields.String(allow_none=True, validate=CODE)
    marking_no = fields.String(allow_none=True, validate=SYMBOL)


class CompetitorPatch(Strict):
    status = fields.String(validate=validate.OneOf(STATUSES))
    time_used_seconds = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 10**7))
    reason = fields.String(allow_none=True, validate=REASON)
    station = fields.String(allow_none=True, validate=CODE, metadata={"description": "organizers only"})
    marking_no = fields.String(allow_none=True, validate=SYMBOL,
                               metadata={"description": "organizers only"})


class MemberOut(Out):
    person_id = fields.Integer()
    name = fields.String()
    enterprise_id = fields.Integer()
    enterprise = fields.String()


class CompetitorOut(Out):
    id = fields.Integer(required=True)
    bib = fields.String()
    marking_no = fields.String(allow_none=True)
    station = fields.String(allow_none=True)
    team_name = fields.String(allow_none=True)
    name = fields.String()
    members = fields.List(fields.Nested(MemberOut))
    status = fields.String(required=True)
    status_reason = fields.String(allow_none=True)
    time_used_seconds = fields.Integer(allow_none=True)


def competitor_dict(competitor: Competitor, *, blind: bool = False) -> dict[str, Any]:
    """A competitor as organizers see it; `blind`: only the marking number (roles.md, blind marking)."""
    data: dict[str, Any] = {"id": competitor.id, "marking_no": competitor.marking_no, "status": competitor.status,
                            "time_used_seconds": competitor.time_used_seconds}
    if blind:
        return data
    data.update(bib=competitor.bib, station=competitor.station, team_name=competitor.team_name,
                name=competitor.display_name, status_reason=competitor.status_reason,
                members=[{"person_id": m.person_id, "name": m.person.name, "enterprise_id": m.person.enterprise_id,
                          "enterprise": m.person.enterprise.name} for m in competitor.members])
    return data


class AspectsField(fields.Field):
    """A list of aspect codes, or "all"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == ALL_ASPECTS:
            return ALL_ASPECTS
        if (not isinstance(value, list) or not value or len(value) > 500
                or not all(isinstance(code, str) and 1 <= len(code) <= 32 for code in value)):
            raise ValidationError('must be "all" or a non-empty list of aspect codes')
        return value

    def _jsonschema_type_mapping(self):
        return {"oneOf": [{"type": "string", "enum": [ALL_ASPECTS]}, {"type": "array", "items": {"type": "string"}}]}


class JudgeIn(Strict):
    user_id = Id(required=True, strict=True)
    chief = fields.Boolean(load_default=False)
    aspects = AspectsField(required=True, metadata={"example": ["A1", "A2"]})


class JudgePatch(Strict):
    chief = fields.Boolean()
    aspects = AspectsField()


class JudgeOut(Out):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    username = fields.Function(lambda j: j.user.username)
    display_name = fields.Function(lambda j: j.user.display_name)
    chief = fields.Boolean()
    aspects = fields.Raw()
    enterprise_id = fields.Integer(allow_none=True)


class TransitionIn(Strict):
    to = fields.String(required=True, validate=validate.OneOf(lifecycle.TARGETS))
    reason = fields.String(load_default=None, allow_none=True, validate=REASON)
