"""The organiser's console: /organize lists every contest (drafts included) and creates a draft;
/organize/contests/{id} sets one up and runs it (state and transitions, marking scheme, judges,
competitors). The views check access and render; the plain-JS modules under static/js/organize/ do
everything else through the JSON API (competition/api/contests.py and friends)."""
from __future__ import annotations

import functools
from datetime import datetime

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from competition.database import get_by_id
from competition.extensions import db
from competition.models import Contest, ContestState
from competition.models.contest import TIERS
from competition.services import accounts, lifecycle, zones
from competition.services.access import STAFF_ROLES
from competition.services.zones import contest_zone
from competition.web.access import page_for

bp = Blueprint("organize", __name__, url_prefix="/organize")

staff_page = page_for(*STAFF_ROLES)  # admins and organisers


def state_names() -> dict[str, str]:
    return {"draft": _("草稿"), "running": _("进行中"), "provisional": _("公示中"), "final": _("已结束")}


def tier_names() -> dict[str, str]:
    """The nine contest tiers of api.md (一类/二类 contests at each level)."""
    return {
        "national_class_1": _("国家级一类"), "national_class_2": _("国家级二类"),
        "provincial_class_1": _("省级一类"), "provincial_class_2": _("省级二类"),
        "city_class_1": _("市级一类"), "city_class_2": _("市级二类"),
        "district": _("区县级"), "enterprise": _("企业级"), "school": _("院校级"),
    }


def transition_names() -> dict[str, str]:
    return {"running": _("开赛"), "provisional": _("公示成绩"), "final": _("定稿（最终成绩）"),
            "running_again": _("重新开放比赛")}


@bp.context_processor
def _organize_labels():
    return {"state_names": state_names(), "tier_names": tier_names()}


def local_time(contest: Contest, moment: datetime | None, layout: str = "%Y-%m-%d %H:%M") -> str:
    """A moment in the contest's own time zone (`layout` "%Y-%m-%dT%H:%M": a datetime-local value)."""
    return moment.astimezone(contest_zone(contest)).strftime(layout) if moment is not None else ""


NEW_CONTEST = {"name": "", "occupation_code": "", "tier": "enterprise", "timezone": zones.DEFAULT_TIMEZONE,
               "starts_at": "", "ends_at": "", "visibility": "live", "freeze_at": "", "precision": 2,
               "team_size": 1, "appeal_window_minutes": 0, "blind": False, "ceremony": False}


def settings_values(contest: Contest) -> dict:
    """The settings form's values for a contest (times as datetime-local values in its time zone)."""
    local = functools.partial(local_time, contest, layout="%Y-%m-%dT%H:%M")
    return {"name": contest.name, "occupation_code": contest.occupation.code, "tier": contest.tier,
            "timezone": contest.timezone, "starts_at": local(contest.starts_at), "ends_at": local(contest.ends_at),
            "visibility": contest.visibility, "freeze_at": local(contest.freeze_at), "precision": contest.precision,
            "team_size": contest.team_size, "appeal_window_minutes": contest.appeal_window_minutes,
            "blind": contest.blind, "ceremony": contest.ceremony}


@bp.get("")
@staff_page
def index():
    found = db.session.scalars(select(Contest).order_by(Contest.starts_at.desc(), Contest.id.desc())).all()
    rows = [{"contest": c, "starts": local_time(c, c.starts_at), "ends": local_time(c, c.ends_at)} for c in found]
    config = {"contestUrl": url_for("organize.contest", contest_id=0).removesuffix("0")}
    return render_template("organize/index.html", rows=rows, tiers=TIERS, config=config, defaults=NEW_CONTEST)


@bp.get("/contests/<int:contest_id>")
@staff_page
def contest(contest_id: int):
    found = get_by_id(Contest, contest_id)
    if found is None:
        abort(404)
    judges = accounts.judge_accounts()
    config = {
        "contestId": found.id,
        "state": found.state.value,
        "transitions": lifecycle.transitions_from(found.state),
        # What the server would refuse now: shown disabled, with what is missing (never offered, then refused)
        "refused": {to: {"reason": refused.reason, "errors": refused.errors}
                    for to in lifecycle.transitions_from(found.state)
                    if (refused := lifecycle.refusal(found, to)) is not None},
        "canUnfreeze": (found.freeze_at is not None and found.unfrozen_at is None
                        and found.state != ContestState.FINAL),
        "teamSize": found.team_size,
        "ceremony": found.ceremony,
        "reveal": {"started": found.reveal_started_at is not None, "remaining": found.reveal_position},
        "judgeAccounts": [{"id": u.id, "username": u.username, "name": u.display_name} for u in judges],
    }
    return render_template("organize/contest.html", contest=found, config=config,
                           transition_names=transition_names(), tiers=TIERS, settings=settings_values(found),
                           starts=local_time(found, found.starts_at), ends=local_time(found, found.ends_at),
                           freeze=local_time(found, found.freeze_at))
