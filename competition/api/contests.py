"""Contests (api.md, Contests): settings, marking scheme (JSON or .xlsx), competitors, judges,
transitions and unfreeze. The rules live in competition.services.contests; views check roles, parse
and shape answers."""
from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, validate

from competition.api.access import caller, require_user, roles_required
from competition.api.blueprint import Blueprint, no_content
from competition.api.schemas import CODE, NAME, REASON, SYMBOL, Id, Out, Strict
from competition.api.transaction import large_body, transactional
from competition.domain.ranking import STATUSES
from competition.domain.scheme import scheme_to_dict
from competition.errors import abort
from competition.models import Competitor, Contest
from competition.models.contest import ALL_ASPECTS, TIERS
from competition.services import (access, appeals, boards, contest_scheme, contest_settings, contests, entries,
                                  lifecycle, marking, scheme_import, spreadsheets, zones)
from competition.services.access import STAFF_ROLES

blp = Blueprint("contests", __name__, description="Contests: settings, marking schemes, competitors, judges, "
                                                  "lifecycle")

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
        "blind": contest.blind, "team_size": contest.team_size,
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


# --- contests --------------------------------------------------------------------------------------------

@blp.route("/contests")
class Contests(MethodView):
    @blp.response(200, ContestOut(many=True))
    def get(self):
        """Contests: the public sees non-draft contests and public fields; staff see everything."""
        user = caller()
        staff = access.is_staff(user)
        return [contest_dict(c, staff) for c in contests.visible_contests(user)]

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(ContestIn)
    @blp.response(201, ContestOut)
    def post(self, data):
        """Create a draft contest (admin, organizer)."""
        return contest_dict(contest_settings.create(data, require_user()), True)


@blp.route("/contests/<int:contest_id>")
class ContestItem(MethodView):
    @blp.response(200, ContestOut)
    def get(self, contest_id):
        """One contest (drafts only for staff)."""
        user = caller()
        return contest_dict(contests.find(contest_id, user), access.is_staff(user))

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(ContestPatch)
    @blp.response(200, ContestOut)
    def patch(self, data, contest_id):
        """Change settings: freeze_at and visibility while running; scheme-related ones only in draft."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return contest_dict(contest_settings.update(contest, data), True)


@blp.route("/contests/<int:contest_id>/marking-scheme")
class MarkingScheme(MethodView):
    @roles_required(*STAFF_ROLES)
    @blp.response(200, SchemeOut)
    def get(self, contest_id):
        """The contest's marking scheme (staff)."""
        contest = contests.find(contest_id, require_user())
        return {"scheme_version": contest.scheme_version, **(contest.scheme or {"components": []})}

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(SchemeIn)
    @blp.response(200, SchemeOut)
    def put(self, data, contest_id):
        """Set the marking scheme (draft only); 422 names the bad path, e.g. components.1.weight."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        scheme = contest_scheme.set_scheme(contest, data)
        return {"scheme_version": contest.scheme_version, **scheme_to_dict(scheme)}


@blp.route("/contests/<int:contest_id>/marking-scheme/import")
class MarkingSchemeImport(MethodView):
    @large_body
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(SchemeFile, location="files")
    @blp.response(200, SchemeOut)
    @blp.alt_response(422, description='Bad rows: {"errors": [{"row", "field", "message"}]}')
    def post(self, files, contest_id):
        """Set the marking scheme from an .xlsx file, one row per aspect (draft only)."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        contest_scheme.require_draft_for_scheme(contest)
        raw = spreadsheets.off_the_loop(scheme_import.read_scheme, files["file"].read())  # never stalls the worker
        scheme = contest_scheme.set_scheme(contest, raw)
        return {"scheme_version": contest.scheme_version, **scheme_to_dict(scheme)}


@blp.route("/marking-scheme-template.xlsx")
class MarkingSchemeTemplate(MethodView):
    @roles_required(*STAFF_ROLES)
    @blp.response(200, content_type=XLSX, description="The import template with an example")
    def get(self):
        """An example .xlsx for the marking-scheme import (Chinese headers, electrician example)."""
        return Response(scheme_import.template_workbook(), mimetype=XLSX,
                        headers={"Content-Disposition": 'attachment; filename="marking-scheme-template.xlsx"'})


# --- competitors -----------------------------------------------------------------------------------------

@blp.route("/contests/<int:contest_id>/competitors")
class Competitors(MethodView):
    @blp.response(200, CompetitorOut(many=True))
    def get(self, contest_id):
        """Competitors: organizers and chief judge; judges of the contest (a blind contest: marking
        numbers only until final)."""
        user = require_user()
        contest = contests.find(contest_id, user)
        if not access.is_staff(user) and access.seat_of(contest.id, user) is None:
            abort(403, "Only the contest's organizers and judges may list its competitors.")
        blind = access.numbers_only(contest, user)
        return [competitor_dict(c, blind=blind) for c in entries.competitors_of(contest)]

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(CompetitorIn)
    @blp.response(201, CompetitorOut)
    def post(self, data, contest_id):
        """Enter a competitor (a person, or a team of team_size people); draft or running."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return competitor_dict(entries.add_competitor(contest, data))


@blp.route("/contests/<int:contest_id>/competitors/<int:competitor_id>")
class CompetitorItem(MethodView):
    @transactional
    @blp.arguments(CompetitorPatch)
    @blp.response(200, CompetitorOut)
    def patch(self, data, contest_id, competitor_id):
        """Status (absent, withdrawn, disqualified…) and time used: organizers and the chief judge;
        station and marking number: organizers."""
        user = require_user()
        contest = contests.find(contest_id, user, for_update=True)
        if not access.may_supervise(contest.id, user):
            abort(403, "Only organizers and the contest's chief judge may change a competitor.")
        if not access.is_staff(user) and data.keys() & {"station", "marking_no"}:
            abort(403, "Only organizers may change a station or marking number.")
        competitor = contests.find_competitor(contest, competitor_id)
        if not access.is_staff(user) and marking.seat_conflicted(contest.id, user, competitor.id):
            abort(403, "回避: a chief judge employed by this competitor's enterprise may not change its status "
                       "or time used.", reason="conflict_of_interest")
        blind = access.numbers_only(contest, user)
        return competitor_dict(entries.update_competitor(contest, competitor, data), blind=blind)


# --- judges ----------------------------------------------------------------------------------------------

@blp.route("/contests/<int:contest_id>/judges")
class Judges(MethodView):
    @blp.response(200, JudgeOut(many=True))
    def get(self, contest_id):
        """The contest's judges (organizers, chief judge)."""
        user = require_user()
        contest = contests.find(contest_id, user)
        if not access.may_supervise(contest.id, user):
            abort(403, "Only organizers and the contest's chief judge may list its judges.")
        return entries.judges_of(contest)

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(JudgeIn)
    @blp.response(201, JudgeOut)
    def post(self, data, contest_id):
        """Assign a judge: aspect codes of the scheme, or "all"; `chief` makes a chief judge."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return entries.add_judge(contest, data)


@blp.route("/contests/<int:contest_id>/judges/<int:judge_id>")
class JudgeItem(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(JudgePatch)
    @blp.response(200, JudgeOut)
    def patch(self, data, contest_id, judge_id):
        """Change a judge's aspects or chief flag."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return entries.update_judge(contest, entries.find_judge(contest, judge_id), data)

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.response(204)
    @blp.alt_response(409, description="The contest is final (`reason`: `contest_final`).")
    def delete(self, contest_id, judge_id):
        """Withdraw a judge from the contest. Marks the judge already entered stay; the judge can
        enter no more, and the audit entry counts the marks kept."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        entries.withdraw_judge(contest, entries.find_judge(contest, judge_id))
        return no_content()


# --- lifecycle -------------------------------------------------------------------------------------------

@blp.route("/contests/<int:contest_id>/transition")
class Transition(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(TransitionIn)
    @blp.response(200, ContestOut)
    @blp.alt_response(409, description='Not allowed now; for final, errors lists "unlocked_modules" and '
                                       '"incomplete_competitors". `reason`: `transition_not_allowed`, '
                                       '`scheme_missing`, `modules_unlocked`, `provisional_first`, '
                                       '`not_ready_for_final` or `promotions_confirmed`')
    def post(self, data, contest_id):
        """draft → running → provisional → final; running → final without an appeal window;
        running_again reopens (needs a reason).

        Refusals of the contest rules here and in the other contest set-up operations carry a stable
        machine-readable `reason` beside api.md's error fields where a page words them itself
        (`reason_required`, `contest_final`, `settings_fixed`, `team_size_fixed`,
        `marking_numbers_missing`, `scheme_fixed`, `scheme_misfit`, `entries_closed`,
        `entry_conflict`, `judge_already_assigned`, `not_frozen`)."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return contest_dict(lifecycle.transition(contest, data["to"], data["reason"]), True)


@blp.route("/contests/<int:contest_id>/unfreeze")
class Unfreeze(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.response(200, ContestOut)
    def post(self, contest_id):
        """Lift the freeze: public views show everything from now on."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return contest_dict(lifecycle.unfreeze(contest), True)

