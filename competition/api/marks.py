"""Marking: PUT/GET /contests/{id}/marks, module locks, progress and judge analysis (api.md)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields
from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer, lazyload

from competition.api.access import require_user
from competition.api.blueprint import Blueprint
from competition.api.schemas import REASON, SYMBOL, Id, Out, Strict
from competition.api.transaction import transactional
from competition.errors import abort
from competition.extensions import db
from competition.models import Contest, ContestState
from competition.services import access, marking

blp = Blueprint("marks", __name__, description="Judges' marks, module locks, the chief judge's overview")


class MarkIn(Strict):
    competitor_id = Id(required=True, strict=True)
    aspect_code = fields.String(required=True, validate=SYMBOL)
    value = fields.Raw(required=True, metadata={"oneOf": [{"type": "string"}, {"type": "number"}],
                                                "example": "7.50"})
    expected_version = Id(minimum=0, strict=True, allow_none=True)


class MarkValueOut(Out):
    value = fields.String(required=True)
    version = fields.Integer(required=True)
    judge_id = fields.Integer(required=True)


class AspectStateOut(Out):
    code = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": ["complete", "incomplete", "needs_reconciliation"]})
    mark = fields.String(required=True)


class MarkOut(Out):
    mark = fields.Nested(MarkValueOut, required=True)
    aspect = fields.Nested(AspectStateOut, required=True)


class MarkQuery(Strict):
    competitor_id = Id()
    aspect_code = fields.String(validate=SYMBOL)


class MarkRowOut(Out):
    competitor_id = fields.Integer(required=True)
    aspect_code = fields.String(required=True)
    judge_id = fields.Integer(required=True)
    value = fields.String(required=True)
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)


class UnlockIn(Strict):
    reason = fields.String(required=True, validate=REASON)


class LockOut(Out):
    module_code = fields.String(required=True)
    locked = fields.Boolean(required=True)
    reason = fields.String(allow_none=True)


# The scheme comes from standings.scheme_of's cache, so its (large) column is not loaded here. Built
# once: every mark runs it, and building a statement costs more than running it.
_LEAN_CONTEST = (select(Contest).where(Contest.id == bindparam("contest_id"))
                 .options(defer(Contest.scheme), defer(Contest.promotion_policy), lazyload(Contest.occupation)))


def contest_for(contest_id: int) -> Contest:
    contest = (db.session.scalar(_LEAN_CONTEST, {"contest_id": contest_id}) if 0 < contest_id <= 2**31 - 1
               else None)  # beyond: unknown
    user = require_user()
    if contest is None or (contest.state == ContestState.DRAFT and not access.is_staff(user)
                           and access.seat_of(contest_id, user) is None):
        abort(404, "No such contest.")
    return contest


@blp.route("/contests/<int:contest_id>/marks")
class Marks(MethodView):
    @transactional
    @blp.arguments(MarkIn)
    @blp.response(200, MarkOut, description="The value replaced an earlier one (or repeated it)")
    @blp.alt_response(201, schema=MarkOut, description="A new value")
    @blp.alt_response(403, description="`reason`: `not_a_judge`, `not_assigned` (to the aspect) or "
                                       "`conflict_of_interest` (回避)")
    @blp.alt_response(409, description="`reason`: `module_locked`, `not_taking_marks` (the contest's state), "
                                       "`stale_version` (the body's `mark` is the current one) or `panel_full`")
    def put(self, data, contest_id):
        """Enter or change a mark (a judge assigned to the aspect, not conflicted).

        A refusal by a marking rule carries `reason` beside api.md's error fields: a stable name of the
        cause for clients to word in their own language (422: `invalid_value`, `unknown_aspect`,
        `unknown_competitor`; 403 and 409 below). A body refused for its shape (an unknown or
        missing field) has no `reason`."""
        contest = contest_for(contest_id)
        result = marking.put_mark(contest, require_user(), competitor_id=data["competitor_id"],
                                  aspect_code=data["aspect_code"], value=data["value"],
                                  expected_version=data.get("expected_version"))
        return result.body, 201 if result.created else 200

    @blp.arguments(MarkQuery, location="query")
    @blp.response(200, MarkRowOut(many=True))
    def get(self, query, contest_id):
        """Values per judge: all of them for the chief judge and organisers; a judge sees their own."""
        contest = contest_for(contest_id)
        return marking.list_marks(contest, require_user(), competitor_id=query.get("competitor_id"),
                                  aspect_code=query.get("aspect_code"))


@blp.route("/contests/<int:contest_id>/modules/<string:module_code>/lock")
class Lock(MethodView):
    @transactional
    @blp.response(200, LockOut)
    def post(self, contest_id, module_code):
        """Lock a module: its values can no longer change (chief judge).

        Refusals carry `reason`: `not_chief` (403), `unknown_module` (404), `already_locked` or
        `locks_closed` (409: the contest is neither running nor provisional)."""
        contest = contest_for(contest_id)
        return marking.set_lock(contest, require_user(), module_code, locked=True, reason=None)


@blp.route("/contests/<int:contest_id>/modules/<string:module_code>/unlock")
class Unlock(MethodView):
    @transactional
    @blp.arguments(UnlockIn)
    @blp.response(200, LockOut)
    def post(self, data, contest_id, module_code):
        """Unlock a module, with a reason for the audit log (chief judge).

        Refusals carry `reason` as locking does, `already_unlocked` for a module not locked and
        `reason_required` for a blank reason."""
        contest = contest_for(contest_id)
        return marking.set_lock(contest, require_user(), module_code, locked=False, reason=data["reason"])


def supervisor_contest(contest_id: int) -> Contest:
    contest = contest_for(contest_id)
    if not access.may_supervise(contest_id, require_user()):
        abort(403, "Only the chief judge and organisers see this.")
    return contest


def blind_for(contest: Contest) -> bool:
    """Judges (the chief included) of a blind contest see marking numbers only until final."""
    return access.numbers_only(contest, require_user())


@blp.route("/contests/<int:contest_id>/progress")
class Progress(MethodView):
    @blp.response(200)
    def get(self, contest_id):
        """Per module × competitor completeness, and the aspects needing reconciliation."""
        contest = supervisor_contest(contest_id)
        return marking.progress(contest, blind=blind_for(contest))


@blp.route("/contests/<int:contest_id>/judge-analysis")
class JudgeAnalysis(MethodView):
    @blp.response(200)
    def get(self, contest_id):
        """Per judge: values entered and mean deviation from the panel mean, per aspect type."""
        return marking.judge_analysis(supervisor_contest(contest_id))
