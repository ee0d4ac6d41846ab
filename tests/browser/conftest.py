"""Playwright driving Debian's Chromium (headless, --no-sandbox), against a real server process."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import service_unavailable
from tests.live_server import prepared_server

CHROMIUM = os.environ.get("COMPETITION_TEST_CHROMIUM", "/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        service_unavailable("Chromium", f"{CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def artefacts() -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS


@pytest.fixture
def server(tmp_path):
    live = prepared_server(tmp_path)
    yield live
    live.stop()


@pytest.fixture
def provisional(server):
    """A running server whose database holds a provisional contest (every module locked) with a
    120-minute appeal window."""
    from tests.browser.worlds import make_provisional, world_in

    with world_in(server.database_url) as (_app, world):
        make_provisional(world)
    server.start()
    return server, world
