"""The event pages render for their audience (events.md, Event screens; roles.md)."""
from __future__ import annotations

import json
import re

from tests.contest_fixtures import create_contest, ensure_occupation, new_account
from tests.event_fixtures import new_event
from tests.support import PASSWORD, signed_in


def page_config(html: str, block: str) -> dict:
    return json.loads(re.search(rf'id="{block}"[^>]*>(.*?)</script>', html, re.S).group(1))


def test_the_public_event_pages_and_the_organisers_pages(app, client, admin, backend):
    ensure_occupation(app)
    organizer = new_account(client, admin, "organizer")
    event = new_event(client, organizer)
    contest = create_contest(client, organizer, event_id=event["id"])
    html = client.get(f"/events/{event['id']}").get_data(as_text=True)
    config = page_config(html, "event-config")
    assert config["initial"]["overview"][0]["contest_id"] == contest["id"] and not config["screen"]
    screen = page_config(client.get(f"/events/{event['id']}/screen?dwell=4").get_data(as_text=True), "event-config")
    assert screen["screen"] and screen["dwell"] == 4
    assert page_config(client.get(f"/events/{event['id']}/screen").get_data(as_text=True),
                       "event-config")["dwell"] == 15
    assert client.get("/events/999999").status_code == 404
    assert client.get("/organize/events").status_code == 302  # anonymous: sign in first
    browser = signed_in(app, organizer.username, PASSWORD)
    listing = browser.get("/organize/events").get_data(as_text=True)
    assert event["name"] in listing
    manage = page_config(browser.get(f"/organize/events/{event['id']}").get_data(as_text=True), "organize-config")
    assert manage["contestIds"] == [contest["id"]]
    assert [s["id"] for s in manage["schemes"]] == ["national", "provincial", "enterprise"]
    english = browser.get(f"/events/{event['id']}", headers={"Accept-Language": "en"})
    assert "Medal table" in english.get_data(as_text=True) or "Medal table" in json.dumps(
        page_config(english.get_data(as_text=True), "event-text"))
