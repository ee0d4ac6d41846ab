"""The live pages: the public board (/board/{id}, phones and ?screen=1 big screens) and the chief
judge's console (/jury/{id})."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from competition import clock
from competition.database import get_by_id
from competition.extensions import db
from competition.models import Contest, ContestState
from competition.services import access, standings

bp = Blueprint("live_pages", __name__)
DWELL_SECONDS = 10


def _contest(contest_id: int) -> Contest:
    contest = get_by_id(Contest, contest_id)
    if contest is None:
        abort(404)
    return contest


def board_config(contest: Contest, view: str) -> dict:
    scheme = standings.scheme_of(contest)
    return {
        "contestId": contest.id,
        "view": view,
        "name": contest.name,
        "state": contest.state.value,
        "visibility": contest.visibility,
        "teamSize": contest.team_size,
        "startsAt": contest.starts_at.isoformat(),
        "endsAt": contest.ends_at.isoformat(),
        "components": [{"code": c.code, "name": c.name} for c in scheme.components] if scheme else [],
        "modules": [{"code": m.code, "name": m.name} for _, m in scheme.modules()] if scheme else [],
        "aspectCount": scheme.aspect_count if scheme else 0,
    }


RECENT = timedelta(days=14)  # a final contest is listed on / this long


def on_now() -> list[Contest]:
    """The contests the landing page lists (live.md, Pages: /): running, provisional, or final within
    RECENT; running first, then the latest."""
    now = clock.now()
    contests = db.session.scalars(select(Contest).where(
        Contest.state.in_([ContestState.RUNNING, ContestState.PROVISIONAL])
        | ((Contest.state == ContestState.FINAL) & (Contest.final_at >= now - RECENT)))).all()
    order = {ContestState.RUNNING: 0, ContestState.PROVISIONAL: 1, ContestState.FINAL: 2}
    return sorted(contests, key=lambda c: (order[c.state], -(c.final_at or c.starts_at).timestamp(), c.id))


@bp.get("/contests")
def contests():
    query = select(Contest).where(Contest.state != ContestState.DRAFT).order_by(Contest.starts_at.desc())
    return render_template("contests.html", contests=db.session.scalars(query).all())


@bp.get("/board/<int:contest_id>")
def board(contest_id: int):
    contest = _contest(contest_id)
    if contest.state == ContestState.DRAFT:
        abort(404)
    mode = ("overlay" if request.args.get("overlay") == "1"
            else "screen" if request.args.get("screen") == "1" else "phone")
    return render_template("board.html", contest=contest, mode=mode,
                           config=board_config(contest, "public") | {"mode": mode, "dwell": _dwell()})


def _dwell() -> int:
    """The big screen's seconds per page (`?dwell=N`, live.md Pages): 10 unless a whole number from 1
    to 600 is given."""
    text = request.args.get("dwell", "")
    return int(text) if text.isdigit() and 1 <= int(text) <= 600 else DWELL_SECONDS


@bp.get("/jury/<int:contest_id>")
def jury(contest_id: int):
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    contest = _contest(contest_id)
    if not access.may_supervise(contest_id, current_user):
        abort(403)
    chief = access.is_chief(contest_id, current_user)
    config = board_config(contest, "jury") | {
        "chief": chief,
        "organizer": access.is_staff(current_user),
        "blind": access.numbers_only(contest, current_user),
    }
    return render_template("jury.html", contest=contest, config=config)


# The judge's tablet and the organiser's QR sheet (/judge…, /contests/{id}/judge-qr) live in their own
# module, registered inside this blueprint: endpoints are "live_pages.judging.*".
from competition.web import judging as _judging  # noqa: E402

bp.register_blueprint(_judging.bp)
