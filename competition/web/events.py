"""Event pages (events.md, Event screens): /events/{id} (phones), /events/{id}/screen (big screen:
rotates through the running contests' boards and the medal table, a results ceremony takes over every
screen until it ends), and the organiser's /organize/events pages (create an event, attach contests,
choose award schemes, qualify and draw lots). The views render; the plain-JS modules under
static/js/events/ do the rest through the JSON API (competition/api/events.py)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from sqlalchemy import select

from competition.database import get_by_id
from competition.domain.awards import READY_AWARD_SCHEMES, awards_to_dict
from competition.extensions import db
from competition.live.event_updates import payload
from competition.models import Contest, Event
from competition.services import events
from competition.web.organize import staff_page, state_names

bp = Blueprint("event_pages", __name__)

DEFAULT_DWELL = 15
MAX_DWELL = 3600


def _event(event_id: int) -> Event:
    found = get_by_id(Event, event_id)
    if found is None:
        abort(404)
    return found


def page_text() -> dict[str, str]:
    return {
        "states": state_names(), "contest": _("赛项"), "state": _("状态"), "progress": _("评分进度"),
        "leader": _("当前第一"), "leaderOf": _("当前第一：{who}"), "none": _("—"), "medals": _("奖牌榜"),
        "rank": _("名次"),
        "enterprise": _("单位"), "total": _("合计"), "noMedals": _("暂无获奖单位。"), "bib": _("参赛号"),
        "name": _("姓名"), "score": _("总分"), "ceremony": _("颁奖揭晓"), "page": _("第 {n} / {m} 页"),
        "connected": _("实时连接"), "reconnecting": _("正在重新连接…"), "noContests": _("暂无进行中的赛项。"),
        "award": _("奖项"),
    }


@bp.get("/events/<int:event_id>")
def event_page(event_id: int):
    found = _event(event_id)
    config = {"eventId": found.id, "screen": False, "initial": payload(found)}
    return render_template("events/event.html", event=found, config=config, text=page_text(), screen=False)


@bp.get("/events/<int:event_id>/screen")
def event_screen(event_id: int):
    found = _event(event_id)
    dwell = request.args.get("dwell", type=int) or DEFAULT_DWELL
    config = {"eventId": found.id, "screen": True, "dwell": max(1, min(dwell, MAX_DWELL)),
              "initial": payload(found)}
    return render_template("events/event.html", event=found, config=config, text=page_text(), screen=True)


@bp.get("/organize/events")
@staff_page
def organize_events():
    found = db.session.scalars(select(Event).order_by(Event.starts_on.desc(), Event.id.desc())).all()
    return render_template("events/organize_index.html", events=found,
                           config={"eventUrl": url_for("event_pages.organize_event", event_id=0).removesuffix("0")})


@bp.get("/organize/events/<int:event_id>")
@staff_page
def organize_event(event_id: int):
    found = _event(event_id)
    attached = events.contests_of(found)
    every = db.session.scalars(select(Contest).order_by(Contest.starts_at.desc(), Contest.id.desc())).all()
    config = {
        "eventId": found.id,
        "contestIds": [c.id for c in attached],
        "contests": [{"id": c.id, "name": c.name, "state": c.state.value, "eventId": c.event_id,
                      "occupation": c.occupation.code, "teamSize": c.team_size, "awards": c.awards or []}
                     for c in every],
        "schemes": [{"id": key, "title": zh if str(get_locale()).startswith("zh") else en,
                     "awards": awards_to_dict(scheme)}
                    for key, (zh, en, scheme) in READY_AWARD_SCHEMES.items()],
    }
    return render_template("events/organize_event.html", event=found, attached=attached, config=config,
                           state_names=state_names())


__all__ = ["bp"]
