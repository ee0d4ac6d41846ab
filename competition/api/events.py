"""Events, awards, the medal table, qualification and drawing lots (events.md). The rules live in
competition.services.events, .awards and .lots; views check roles, parse and shape answers."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import ValidationError, fields, validate, validates_schema

from competition.api.access import caller, require_user, roles_required
from competition.api.blueprint import Blueprint
from competition.api.contest_schemas import XLSX, competitor_dict, not_blank
from competition.api.schemas import NAME, DecimalString, Id, Out, Strict
from competition.api.transaction import transactional
from competition.domain.awards import READY_AWARD_SCHEMES, awards_to_dict
from competition.domain.lots import SEED_MAX_LENGTH
from competition.errors import ServiceError
from competition.models import ContestState
from competition.services import access, awards, contests, events, lots, standings
from competition.services.access import STAFF_ROLES

blp = Blueprint("events", __name__, description="Events of many contests, awards, the medal table, "
                                                "qualification and drawing lots")


class EventPatch(Strict):
    name = fields.String(validate=[NAME, not_blank])
    starts_on = fields.Date()
    ends_on = fields.Date()
    timezone = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))


class EventIn(EventPatch):
    name = fields.String(required=True, validate=[NAME, not_blank])
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


class EventOut(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    starts_on = fields.Date()
    ends_on = fields.Date()
    timezone = fields.String(allow_none=True)
    contest_ids = fields.List(fields.Integer())


class EventContestsIn(Strict):
    contest_ids = fields.List(Id(strict=True), required=True, validate=validate.Length(max=200))


class OverviewRow(Out):
    contest_id = fields.Integer(required=True)
    name = fields.String()
    occupation_code = fields.String()
    state = fields.String()
    progress = fields.String(metadata={"description": "share of required marks entered, two places"})
    leader = fields.Raw(allow_none=True, metadata={"description": '{"competitor", "total"} or null'})
    ceremony = fields.Boolean(metadata={"description": "a results ceremony is running on its public board"})


class MedalTableOut(Out):
    event_id = fields.Integer()
    award_codes = fields.List(fields.String())
    award_names = fields.Dict(keys=fields.String(), values=fields.String())
    rows = fields.Raw(metadata={"type": "array", "items": {"type": "object"},
                                "description": '[{"rank","enterprise":{"id","name"},"counts":{CODE: n},'
                                               '"total_awards"}]'})


class AwardOut(Out):
    competitor = fields.Raw()
    rank = fields.Integer()
    total = fields.String(allow_none=True)
    award = fields.Raw(metadata={"description": '{"code","name"}'})


class QualifyIn(Strict):
    to_contest_id = Id(strict=True, required=True)
    top = fields.Integer(strict=True, validate=validate.Range(1, 100_000))
    top_percent = DecimalString(validate=validate.Range(0, 100, min_inclusive=False))

    @validates_schema
    def _one_limit(self, data, **_kwargs):
        if ("top" in data) == ("top_percent" in data):
            raise ValidationError("give exactly one of top and top_percent", "top")


class QualifyOut(Out):
    added = fields.Raw(metadata={"type": "array", "items": {"type": "object"}})


class DrawIn(Strict):
    what = fields.String(required=True, validate=validate.OneOf(("bib", "station")))
    seed = fields.String(validate=[validate.Length(min=1, max=SEED_MAX_LENGTH)])


class DrawOut(Out):
    seed = fields.String(required=True)
    algorithm = fields.String()
    what = fields.String()
    assignment = fields.Raw()


class ReadySchemeOut(Out):
    id = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    awards = fields.Raw()


# --- events ------------------------------------------------------------------------------------------------

@blp.route("/events")
class Events(MethodView):
    @blp.response(200, EventOut(many=True))
    def get(self):
        """Events (anyone)."""
        return [events.event_dict(e) for e in events.all_events()]

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(EventIn)
    @blp.response(201, EventOut)
    def post(self, data):
        """Create an event (admin, organizer); 422 when ends_on is before starts_on."""
        return events.event_dict(events.create(data))


@blp.route("/events/<int:event_id>")
class EventItem(MethodView):
    @blp.response(200, EventOut)
    def get(self, event_id):
        """One event (anyone)."""
        return events.event_dict(events.find(event_id))

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(EventPatch)
    @blp.response(200, EventOut)
    def patch(self, data, event_id):
        """Change an event's name, dates or time zone."""
        return events.event_dict(events.update(events.find(event_id), data))


@blp.route("/events/<int:event_id>/contests")
class EventContests(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(EventContestsIn)
    @blp.response(200, EventOut)
    def put(self, data, event_id):
        """Replace the event's contests (in this order); 409 for a contest in another event."""
        return events.event_dict(events.set_contests(events.find(event_id), data["contest_ids"]))


@blp.route("/events/<int:event_id>/overview")
class EventOverview(MethodView):
    @blp.response(200, OverviewRow(many=True))
    def get(self, event_id):
        """One row per contest: state, progress, leader, as the public views show them (anyone)."""
        return events.overview(events.find(event_id))


@blp.route("/events/<int:event_id>/medal-table")
class MedalTable(MethodView):
    @blp.response(200, MedalTableOut)
    def get(self, event_id):
        """Awards per enterprise over the event's final contests whose results are public (anyone)."""
        return events.medal_table(events.find(event_id))


@blp.route("/events/<int:event_id>/medal-table.xlsx")
class MedalTableXlsx(MethodView):
    @blp.response(200, content_type=XLSX, description="名次, 单位, one column per award, 合计")
    def get(self, event_id):
        """The medal table as an Excel workbook (anyone)."""
        event = events.find(event_id)
        return Response(events.medal_table_xlsx(event), mimetype=XLSX, headers={
            "Content-Disposition": f'attachment; filename="event-{event.id}-medal-table.xlsx"',
            "Cache-Control": "no-store"})


@blp.route("/award-schemes")
class AwardSchemes(MethodView):
    @blp.response(200, ReadySchemeOut(many=True))
    def get(self):
        """Ready award schemes: national (medals + 优胜奖), provincial (10/20/30 %), enterprise (ranks)."""
        return [{"id": key, "title_zh": zh, "title_en": en, "awards": awards_to_dict(scheme)}
                for key, (zh, en, scheme) in READY_AWARD_SCHEMES.items()]


# --- per contest ---------------------------------------------------------------------------------------------

@blp.route("/contests/<int:contest_id>/awards")
class ContestAwards(MethodView):
    @blp.response(200, AwardOut(many=True))
    def get(self, contest_id):
        """Awarded competitors, best first: anyone once results are public (404 before); staff and the
        chief judge at any time."""
        user = caller()
        contest = contests.find(contest_id, user)
        if access.may_supervise(contest.id, user):
            view = standings.JURY
        elif contest.state == ContestState.FINAL:
            view = standings.PUBLIC
        else:
            raise ServiceError(404, "Awards are published when the contest is final.")
        return awards.award_rows(contest, view, contests.viewer_options(contest, user, view))


@blp.route("/contests/<int:contest_id>/qualify")
class Qualify(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(QualifyIn)
    @blp.response(200, QualifyOut)
    def post(self, data, contest_id):
        """Qualifiers of this final contest (top N or top %, ties at the cut included) enter a draft
        contest of the same occupation and team size, bibs by rank; 409 if any is there already."""
        source = contests.find(contest_id, require_user(), for_update=True)
        added = lots.qualify(source, data)
        return {"added": [competitor_dict(c) for c in added]}


@blp.route("/contests/<int:contest_id>/draw")
class Draw(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(DrawIn)
    @blp.response(200, DrawOut)
    def post(self, data, contest_id):
        """Draw bibs or stations by lot from a seed (recorded in the audit entry); 409 once a mark exists."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return lots.draw(contest, data["what"], data.get("seed"))


