"""live.md, Pages: `/` lists the contests that are running or recently final, each linking to its
boards (phone, big screen, overlay); drafts and contests final long ago are not listed."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from tests.world import build_world


def listed(client) -> list[str]:
    return re.findall(r'data-contest="(\d+)"', client.get("/").get_data(as_text=True))


def test_the_landing_page_lists_live_and_recent_contests_with_their_boards(app, client, make_user):
    from competition.extensions import db
    from competition.models import Contest, ContestState

    world = build_world(app, make_user)
    running = str(world.contest_id)
    page = client.get("/").get_data(as_text=True)
    for link in (f"/board/{running}", f"/board/{running}?screen=1", f"/board/{running}?overlay=1"):
        assert f'href="{link}"' in page
    now = datetime.now(timezone.utc)
    with app.app_context():
        template = db.session.get(Contest, world.contest_id)
        made = {}
        for key, state, final_at in (("recent", ContestState.FINAL, now - timedelta(days=2)),
                                     ("old", ContestState.FINAL, now - timedelta(days=40)),
                                     ("draft", ContestState.DRAFT, None),
                                     ("provisional", ContestState.PROVISIONAL, None)):
            contest = Contest(name=f"{key} contest", occupation_id=template.occupation_id, tier="enterprise",
                              starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2), state=state,
                              final_at=final_at)
            db.session.add(contest)
            db.session.flush()
            made[key] = str(contest.id)
        db.session.commit()
    assert listed(client) == [running, made["provisional"], made["recent"]]  # running first
    assert "目前没有进行中" not in client.get("/").get_data(as_text=True)


def test_the_landing_page_says_when_nothing_is_on(client):
    assert listed(client) == []
    assert "目前没有进行中或最近结束的比赛。" in client.get("/").get_data(as_text=True)


def test_the_contest_list_links_each_contest_s_three_boards(app, client, make_user):
    """/contests, like `/`, links the phone board, the big screen and the broadcast overlay."""
    world = build_world(app, make_user)
    page = client.get("/contests").get_data(as_text=True)
    contest = world.contest_id
    for link in (f"/board/{contest}", f"/board/{contest}?screen=1", f"/board/{contest}?overlay=1"):
        assert f'href="{link}"' in page
