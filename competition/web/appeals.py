"""The organiser's appeals page (/contests/{id}/appeals): record appeals (申诉) while the appeal window
is open and record the arbitration decision (仲裁). The page is a shell; static/js/appeals.js talks
to the JSON API (competition/api/appeals.py)."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from competition import clock
from competition.database import get_by_id
from competition.models import Contest
from competition.services import access, appeals, entries, standings, zones

bp = Blueprint("appeal_pages", __name__)


@bp.get("/contests/<int:contest_id>/appeals")
def page(contest_id: int):
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    if not access.is_staff(current_user):
        abort(403)
    contest = get_by_id(Contest, contest_id)
    if contest is None:
        abort(404)
    scheme = standings.scheme_of(contest)
    closes = appeals.appeal_window_closes_at(contest)
    config = {
        "contestId": contest.id,
        "state": contest.state.value,
        "windowOpen": appeals.window_open(contest, clock.now()),
        "closesAt": closes.isoformat() if closes else None,
        "competitors": [{"id": c.id, "bib": c.bib, "name": c.display_name}
                        for c in entries.competitors_of(contest)],
        "aspects": [{"code": a.code, "name": a.name, "module": m.code} for _, m, a in scheme.aspects()]
        if scheme else [],
    }
    closes_local = closes.astimezone(zones.contest_zone(contest)).strftime("%Y-%m-%d %H:%M") if closes else None
    return render_template("appeals.html", contest=contest, config=config, closes_local=closes_local)
