"""The /live namespace and its room names: the one place that spells them (broadcaster, sockets,
hand-over and event updates alike)."""
from __future__ import annotations

import re
from typing import Any

NAMESPACE = "/live"

# Rooms of a contest: "public", "jury", "jury-blind" (judges of a blind contest), "judges" (tablets).
CONTEST_ROOM = re.compile(r"^contest:(\d+):(public|jury|jury-blind|judges)$")


def room(contest_id: int, view: str) -> str:
    """Rooms: "public", "jury", "jury-blind" (judges of a blind contest), "judges" (tablets)."""
    return f"contest:{contest_id}:{view}"


def contest_room(name: object) -> tuple[int, str] | None:
    """(contest id, kind) of a contest room's name; None for any other room."""
    match = CONTEST_ROOM.match(name) if isinstance(name, str) else None
    return (int(match.group(1)), match.group(2)) if match else None


def event_room(event_id: int) -> str:
    return f"event:{event_id}:public"


def blind_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The jury rows as a judge of a blind contest may see them: marking numbers only."""
    blinded = []
    for row in rows:
        competitor = row["competitor"]
        blinded.append({**row, "competitor": {"id": competitor["id"],
                                              "marking_no": competitor.get("marking_no")}})
    return blinded
