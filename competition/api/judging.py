"""The judge's worklist: GET /judge/contests and GET /contests/{id}/worklist (the tablet's data).

Marks themselves go through PUT /contests/{id}/marks (competition.api.marks), with an
`Idempotency-Key` per entered value so that a tablet's retries never store a value twice.
"""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields

from competition.api.access import require_user
from competition.api.blueprint import Blueprint
from competition.api.marks import contest_for
from competition.api.schemas import Out
from competition.services import worklist

blp = Blueprint("judging", __name__, description="The judge's tablet: contests to judge and the worklist")


class JudgeContestOut(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": ["running", "provisional", "final"]})
    occupation = fields.String(allow_none=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    timezone = fields.String(required=True)
    blind = fields.Boolean(required=True, metadata={"description": "marking numbers only until final"})
    chief = fields.Boolean(required=True)
    aspects = fields.Raw(metadata={"description": 'the assigned aspect codes, or "all"'})


class WorkModuleOut(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    locked = fields.Boolean(required=True)
    open = fields.Boolean(required=True, metadata={"description": "the contest takes marks in this module now"})
    aspects = fields.List(fields.String(), required=True, metadata={"description": "the caller's aspects in it"})


class WorkAspectOut(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True, metadata={"enum": ["measurement", "judgement", "panel"]})
    module_code = fields.String(required=True)
    max_mark = fields.String(required=True)
    panel_size = fields.Integer(required=True)
    decimals = fields.Integer(required=True, metadata={"description": "decimals a value may have"})
    min = fields.String(required=True)
    max = fields.String(required=True)
    values = fields.List(fields.String(), allow_none=True, metadata={"description": "judgement: 0 to 3"})
    description = fields.String(required=True)


class WorkMarkOut(Out):
    aspect_code = fields.String(required=True)
    value = fields.String(allow_none=True, metadata={"description": "own value (measurement: the shared one)"})
    version = fields.Integer(required=True, metadata={"description": "0 when there is no value yet"})
    mine = fields.Boolean(required=True, metadata={"description": "the caller stored the current value"})
    state = fields.String(required=True, metadata={"enum": ["complete", "incomplete", "needs_reconciliation"]})
    locked = fields.Boolean(required=True)


class WorkCompetitorOut(Out):
    id = fields.Integer(required=True)
    marking_no = fields.String(allow_none=True)
    bib = fields.String(metadata={"description": "not in a blind contest before final"})
    station = fields.String(allow_none=True, metadata={"description": "not in a blind contest before final"})
    name = fields.String(metadata={"description": "not in a blind contest before final"})
    status = fields.String(required=True)
    marks = fields.List(fields.Nested(WorkMarkOut), required=True)


class WorkContestOut(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    state = fields.String(required=True)
    blind = fields.Boolean(required=True)
    precision = fields.Integer(required=True)
    occupation = fields.String(allow_none=True)


class WorkJudgeOut(Out):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    chief = fields.Boolean(required=True)


class WorklistOut(Out):
    contest = fields.Nested(WorkContestOut, required=True)
    judge = fields.Nested(WorkJudgeOut, required=True)
    modules = fields.List(fields.Nested(WorkModuleOut), required=True)
    aspects = fields.List(fields.Nested(WorkAspectOut), required=True)
    competitors = fields.List(fields.Nested(WorkCompetitorOut), required=True)


@blp.route("/judge/contests")
class JudgeContests(MethodView):
    @blp.response(200, JudgeContestOut(many=True))
    def get(self):
        """The caller's contests as a judge (running and provisional first), with the chief flag."""
        return worklist.judge_contests(require_user())


@blp.route("/contests/<int:contest_id>/worklist")
class Worklist(MethodView):
    @blp.response(200, WorklistOut)
    def get(self, contest_id):
        """A judge's worklist: modules, assigned aspects, the competitors the caller may mark (never a
        conflicted one) with own values, versions and aspect states. Blind contests: marking numbers only."""
        contest = contest_for(contest_id)
        return worklist.worklist(contest, require_user())
