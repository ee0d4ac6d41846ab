"""Hostile names in a real browser: rendered as text everywhere, never run; cookie flags; CSRF; CSP."""
from __future__ import annotations

import re

import pytest

from tests.browser.worlds import world_in
from tests.support import PASSWORD, create_account

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def hostile(server):
    """A running contest whose competitors c1 and c2 are named like attacks; an hr of their employer."""
    from competition.extensions import db
    from competition.models import Contest, Person
    from competition.services import boards, standings

    with world_in(server.database_url) as (app, world):
        hr = create_account(app, "hr", enterprise_id=world.enterprises["E1"])
        db.session.get(Person, world.people["c1"]).name = XSS_IMG
        db.session.get(Person, world.people["c2"]).name = XSS_SCRIPT
        db.session.commit()
        standings.rebuild(db.session.get(Contest, world.contest_id))
        boards.publish(world.contest_id)
        db.session.commit()
    server.start()
    return server, world, hr


def sign_in(page, server, username):
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"^(?!.*/login)"))  # each role lands on its own page


def shows_literally(page, text):
    locator = page.get_by_text(text, exact=False)
    locator.first.wait_for(timeout=10000)
    assert locator.first.is_visible()


def test_hostile_names_render_as_text_and_never_run(hostile, browser):
    server, world, hr = hostile
    dialogs = []
    for who in (None, world.organizer.username, hr.username):
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        if who is None:
            page.goto(f"{server.url}/contests")
            page.goto(f"{server.url}/board/{world.contest_id}")
            page.locator("#board-rows tr").first.wait_for(timeout=10000)
            shows_literally(page, XSS_IMG)
            shows_literally(page, XSS_SCRIPT)
        elif who == world.organizer.username:
            sign_in(page, server, who)
            page.goto(f"{server.url}/jury/{world.contest_id}#tab=progress")  # the first tab naming competitors
            shows_literally(page, XSS_IMG)
            shows_literally(page, XSS_SCRIPT)
            page.goto(f"{server.url}/organize/contests/{world.contest_id}")  # the competitors' table
            shows_literally(page, XSS_IMG)
            shows_literally(page, XSS_SCRIPT)
        else:
            sign_in(page, server, who)
            page.goto(f"{server.url}/hr/people")
            shows_literally(page, XSS_IMG)
            shows_literally(page, XSS_SCRIPT)
        assert page.locator("img[src='x']").count() == 0
        page.wait_for_timeout(300)
        context.close()
    assert dialogs == []


def test_cookie_flags_csrf_and_csp(hostile, browser):
    server, world, _ = hostile
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    console = []
    page.on("console", lambda msg: console.append(msg.text))
    sign_in(page, server, world.organizer.username)
    cookies = [c for c in context.cookies() if c["name"] == "session" or "session" in c["name"]]
    assert cookies, context.cookies()
    for cookie in cookies:
        assert cookie["httpOnly"] is True, cookie
        assert cookie["sameSite"] == "Lax", cookie

    # a state-changing call from the signed-in page without the CSRF token is refused
    page.goto(f"{server.url}/jury/{world.contest_id}")
    status = page.evaluate("""async (url) => {
        const r = await fetch(url, {method: "POST", credentials: "same-origin",
                                    headers: {"Content-Type": "application/json"}, body: "{}"});
        return r.status; }""", f"/api/v1/contests/{world.contest_id}/unfreeze")
    assert status == 403

    # CSP: an injected inline script does not run and is reported
    try:
        page.add_script_tag(content="window.__injected = 1;")
    except Exception:  # noqa: BLE001 - Playwright may report the refused script itself
        pass
    page.wait_for_timeout(300)
    assert page.evaluate("window.__injected === undefined")
    assert any("Content Security Policy" in text for text in console), console
    context.close()
