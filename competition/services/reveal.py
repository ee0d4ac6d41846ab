"""The results ceremony (live.md, Results ceremony).

After finalisation an organiser starts a reveal: every public view shows the final list without
totals and ranks; each `next` reveals the next ranked competitor from the bottom up (rank, total,
promotion band if any) until the winner; one more is 409. Unranked competitors are listed as usual.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from competition.domain.promotion import validate_policy
from competition.extensions import db
from competition.models import Contest, ContestState
from competition.services import audit, boards, standings


@dataclass
class RevealError(Exception):
    status: int
    message: str
    reason: str  # machine-readable, for the organiser's page to word


def _ranked_rows(contest: Contest) -> list[dict[str, Any]]:
    jury = standings.options_for(contest, standings.JURY)
    return [row for row in standings.board_rows(contest, standings.JURY, jury) if row["rank"] is not None]


def start(contest: Contest) -> dict[str, Any]:
    if contest.state != ContestState.FINAL:
        raise RevealError(409, "A results ceremony needs a final contest.", "needs_final")
    contest.reveal_started_at = standings.now()
    contest.reveal_position = len(_ranked_rows(contest))
    audit.record("contest.reveal_start", f"contest:{contest.id}", contest_id=contest.id,
                 after={"hidden": contest.reveal_position})
    boards.touch(contest.id)
    db.session.flush()
    return {"contest_id": contest.id, "remaining": contest.reveal_position}


def band_of(contest: Contest, rank: int, ranked_count: int) -> str | None:
    """The name of the promotion band this rank falls in under the contest's policy (first match)."""
    if not contest.promotion_policy:
        return None
    policy = validate_policy(contest.promotion_policy)
    return next((band.name for band in policy.bands if band.contains(rank, ranked_count)), None)


def next_step(contest: Contest) -> dict[str, Any]:
    if contest.state != ContestState.FINAL or contest.reveal_started_at is None:
        raise RevealError(409, "No results ceremony is running; start one first.", "reveal_not_started")
    if not contest.reveal_position:
        raise RevealError(409, "Every ranked competitor has been revealed.", "all_revealed")
    ranked = _ranked_rows(contest)
    row = ranked[contest.reveal_position - 1]
    contest.reveal_position -= 1
    public = standings.options_for(contest, standings.PUBLIC)
    shown = next(r for r in standings.board_rows(contest, standings.PUBLIC, public)
                 if r["competitor"]["id"] == row["competitor"]["id"])
    shown = {**shown, "band": band_of(contest, row["rank"], len(ranked))}
    audit.record("contest.reveal_next", f"contest:{contest.id}", contest_id=contest.id,
                 after={"competitor_id": row["competitor"]["id"], "rank": row["rank"],
                        "remaining": contest.reveal_position})
    boards.touch(contest.id)
    boards.reveal_step({"contest_id": contest.id, "row": shown, "remaining": contest.reveal_position})
    db.session.flush()
    return shown
