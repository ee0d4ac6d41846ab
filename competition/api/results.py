"""Results (api.md, Results): GET /contests/{id}/standings and the results.csv / results.xlsx exports.

The public view applies visibility and freeze (done by competition.services.standings and boards);
this module decides who may see which view."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, fields, validate

from competition.api.access import caller
from competition.api.blueprint import Blueprint
from competition.api.contest_schemas import XLSX
from competition.api.schemas import Out
from competition.errors import ServiceError
from competition.models import Contest, ContestState, User
from competition.models.board import VIEWS
from competition.services import access, boards, contests, exports, standings

blp = Blueprint("results", __name__, description="Standings and result exports")
class StandingsQuery(Schema):
    class Meta:
        unknown = EXCLUDE  # cache-busting parameters are harmless

    view = fields.String(load_default=standings.PUBLIC, validate=validate.OneOf(VIEWS))


class StandingsOut(Out):
    contest_id = fields.Integer(required=True)
    view = fields.String(required=True)
    seq = fields.Integer(required=True, metadata={"description": "the live board's sequence number"})
    state = fields.String(required=True)
    frozen = fields.Boolean(required=True)
    rows = fields.Raw(required=True, metadata={
        "type": "array", "items": {"type": "object"},
        "description": '[{"rank","competitor":{"id","bib","name","enterprise"},"total","components":{CODE: score},'
                       '"modules":{CODE: score},"complete","aspects_complete","status"}]. The public rows '
                       'of a blind contest carry no competitor id until it is final (judges know '
                       'competitors by id and marking number only; the bib identifies the row).'})


@blp.route("/contests/<int:contest_id>/standings")
class Standings(MethodView):
    @blp.arguments(StandingsQuery, location="query")
    @blp.response(200, StandingsOut)
    def get(self, query, contest_id):
        """Standings: anyone (public view); `?view=jury` for the chief judge and organizers."""
        user = caller()
        contest = contests.find(contest_id, user)
        view = query["view"]
        return boards.snapshot(contest, view, contests.viewer_options(contest, user, view))


def _export_table(contest_id: int) -> tuple[Contest, exports.Table]:
    """Staff and the chief judge export the jury view at any time; everyone else the public view,
    once the contest is final (404 before)."""
    user: User | None = caller()
    contest = contests.find(contest_id, user)
    if access.may_supervise(contest.id, user):
        view = standings.JURY
    elif contest.state == ContestState.FINAL:
        view = standings.PUBLIC
    else:
        raise ServiceError(404, "Results are published when the contest is final.")
    return contest, exports.result_table(contest, view, contests.viewer_options(contest, user, view))


def _state_suffix(contest: Contest) -> str:
    """Provisional results (公示中) say so in the file name (and the workbook's sheet title)."""
    return "-provisional" if contest.state == ContestState.PROVISIONAL else ""


def _attachment(body: bytes, mimetype: str, filename: str, contest: Contest) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store", "X-Results-State": contest.state.value})


@blp.route("/contests/<int:contest_id>/results.csv")
class ResultsCsv(MethodView):
    @blp.response(200, content_type="text/csv", description="UTF-8 with BOM; the standings rows")
    def get(self, contest_id):
        """Results as CSV: anyone once final; organizers and the chief judge at any time."""
        contest, table = _export_table(contest_id)
        return _attachment(exports.to_csv(table), "text/csv; charset=utf-8",
                           f"contest-{contest.id}-results{_state_suffix(contest)}.csv", contest)


@blp.route("/contests/<int:contest_id>/results.xlsx")
class ResultsXlsx(MethodView):
    @blp.response(200, content_type=XLSX, description="The standings rows, scores as numbers")
    def get(self, contest_id):
        """Results as an Excel workbook: anyone once final; organizers and the chief judge at any time."""
        contest, table = _export_table(contest_id)
        title = "公示成绩" if contest.state == ContestState.PROVISIONAL else "成绩"
        return _attachment(exports.to_xlsx(table, title), XLSX,
                           f"contest-{contest.id}-results{_state_suffix(contest)}.xlsx", contest)
