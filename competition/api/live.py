"""The results ceremony: POST /contests/{id}/reveal/start and /reveal/next (live.md)."""
from __future__ import annotations

from flask.views import MethodView

from competition.api.access import roles_required
from competition.api.blueprint import Blueprint
from competition.api.transaction import transactional
from competition.database import get_by_id
from competition.errors import abort
from competition.models import Contest
from competition.services import reveal
from competition.services.access import STAFF_ROLES

blp = Blueprint("reveal", __name__, description="The results ceremony on the public board")


def _contest(contest_id: int) -> Contest:
    contest = get_by_id(Contest, contest_id)
    if contest is None:
        abort(404, "No such contest.")
    return contest


@blp.route("/contests/<int:contest_id>/reveal/start")
class RevealStart(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.response(200)
    def post(self, contest_id):
        """Hide totals and ranks on every public view; reveal them one by one with `next`."""
        return reveal.start(_contest(contest_id))


@blp.route("/contests/<int:contest_id>/reveal/next")
class RevealNext(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.response(200)
    def post(self, contest_id):
        """Reveal the next ranked competitor from the bottom up: the row with its rank, total and band."""
        return reveal.next_step(_contest(contest_id))
