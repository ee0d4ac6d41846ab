"""Appeals and arbitration (api.md, Contests; scoring.md 申诉): organizers record appeals while the
appeal window is open and decide them with a reason; the chief judge may read them."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from competition.api.access import require_user, roles_required
from competition.api.blueprint import Blueprint
from competition.api.schemas import REASON, SYMBOL, Id, Out, Strict
from competition.api.transaction import transactional
from competition.errors import abort
from competition.models.appeal import DECISIONS
from competition.services import access, appeals, contests
from competition.services.access import STAFF_ROLES

blp = Blueprint("appeals", __name__, description="Appeals (申诉) against provisional results and arbitration")



class AppealIn(Strict):
    competitor_id = Id(required=True, strict=True)
    aspect_codes = fields.List(fields.String(validate=SYMBOL), required=True, validate=validate.Length(1, 500))
    grounds = fields.String(required=True, validate=validate.Length(1, 2000))


class AppealDecisionIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(required=True, validate=REASON)


class AppealOut(Out):
    id = fields.Integer(required=True)
    contest_id = fields.Integer()
    competitor_id = fields.Integer()
    aspect_codes = fields.List(fields.String())
    grounds = fields.String()
    filed_at = fields.DateTime()
    filed_by = fields.Integer(allow_none=True)
    decision = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "open, dismissed or upheld"})
    reason = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    version = fields.Integer()


@blp.route("/contests/<int:contest_id>/appeals")
class Appeals(MethodView):
    @blp.response(200, AppealOut(many=True))
    def get(self, contest_id):
        """The contest's appeals (organizers and the chief judge)."""
        user = require_user()
        contest = contests.find(contest_id, user)
        if not access.may_supervise(contest.id, user):
            abort(403, "Only organizers and the contest's chief judge may list its appeals.")
        return [appeals.appeal_dict(a) for a in appeals.appeals_of(contest)]

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(AppealIn)
    @blp.response(201, AppealOut)
    @blp.alt_response(409, description="The contest is not provisional, or the appeal window is closed")
    def post(self, data, contest_id):
        """Record an appeal for a competitor while the appeal window is open."""
        user = require_user()
        contest = contests.find(contest_id, user, for_update=True)
        return appeals.appeal_dict(appeals.file(contest, data, user))


@blp.route("/appeals/<int:appeal_id>/decide")
class Decide(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(AppealDecisionIn)
    @blp.response(200, AppealOut)
    @blp.alt_response(409, description="Already decided, or the contest is no longer provisional")
    def post(self, data, appeal_id):
        """Arbitration: dismissed, or upheld (reopens the modules of the named aspects). Reason required."""
        user = require_user()
        appeal = appeals.find(appeal_id)
        contest = contests.find(appeal.contest_id, user, for_update=True)
        appeal = appeals.find(appeal_id, for_update=True)
        return appeals.appeal_dict(appeals.decide(contest, appeal, data, user))
