"""The journeys' fixtures: the language (every journey runs in Chinese and in English) and the journey's
browser context, checked for problems when the test ends (journey.py)."""
from __future__ import annotations

import pytest

from tests.browser.journeys.journey import LANGS, Journey


@pytest.fixture(params=LANGS)
def lang(request) -> str:
    return request.param


@pytest.fixture
def journeys(browser, server, lang):
    """`journeys(role, **options)` opens a Journey; each is checked again and closed at the end."""
    opened: list[Journey] = []

    def open_journey(role: str, **options) -> Journey:
        opened.append(Journey(browser, server, role, lang, **options))
        return opened[-1]

    yield open_journey
    try:
        for journey in opened:
            assert journey.problems() == []
    finally:
        for journey in opened:
            journey.close()
