"""Helpers for event tests: final contests with a one-aspect scheme (total = the mark)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.contest_fixtures import WORLDSKILLS_SCHEME, ContestSetup, setup_contest

PROVINCIAL = [{"code": "first", "name": "一等奖", "top_percent": 10},
              {"code": "second", "name": "二等奖", "top_percent": 20},
              {"code": "third", "name": "三等奖", "top_percent": 30}]
MEDALS = [{"code": "gold", "name": "金牌", "ranks": [1, 1]}, {"code": "silver", "name": "银牌", "ranks": [2, 2]},
          {"code": "bronze", "name": "铜牌", "ranks": [3, 3]}]


def scored_contest(client, admin, totals: Sequence[Any], *, final: bool = True, awards: Any = None,
                   **fields: Any) -> ContestSetup:
    """A running contest whose competitor with bib n+1 has total totals[n]; final unless told."""
    body: dict[str, Any] = dict(fields)
    if awards is not None:
        body["awards"] = awards
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=len(totals), judges=1,
                          start=True, **body)
    for bib, total in enumerate(totals, start=1):
        if total is not None:
            setup.store(bib, {"M1": total})
    if final:
        setup.lock()
        response = setup.transition("final")
        assert response.status_code == 200, response.get_json()
    return setup


def new_event(client, organizer, name: str = "2026年职业技能大赛") -> dict[str, Any]:
    response = client.post("/api/v1/events", json={"name": name, "starts_on": "2026-05-01",
                                                   "ends_on": "2026-05-03"}, headers=organizer.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()
