"""The results ceremony (live.md, Results ceremony).

After finalisation an organiser starts a reveal: every public view shows the final list without
totals and ranks; each `next` reveals the next ranked competitor from the bottom up (rank, total,
promotion band if any: the band of its promotion outcome, see `band_of`) until the winner; one more is
409. Unranked competitors are listed as usual.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from competition import clock
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Contest, ContestState, Promotion
from competition.models.promotion import NOT_ELIGIBLE
from competition.services import audit, boards, standings


def _ranked_rows(contest: Contest) -> list[dict[str, Any]]:
    jury = standings.options_for(contest, standings.JURY)
    return [row for row in standings.board_rows(contest, standings.JURY, jury) if row["rank"] is not None]


def start(contest: Contest) -> dict[str, Any]:
    if contest.state != ContestState.FINAL:
        raise ServiceError(409, "A results ceremony needs a final contest.", reason="needs_final")
    contest.reveal_started_at = clock.now()
    contest.reveal_position = len(_ranked_rows(contest))
    audit.record("contest.reveal_start", f"contest:{contest.id}", contest_id=contest.id,
                 after={"hidden": contest.reveal_position})
    boards.touch(contest.id)
    db.session.flush()
    return {"contest_id": contest.id, "remaining": contest.reveal_position}


def band_of(contest: Contest, competitor_id: int) -> str | None:
    """The promotion band shown for a competitor: the band of its computed promotion outcome
    (promotion.md; computed when the contest became final), None when there is none.

    An outcome counts only when it is a promotion (proposed, or since decided by HR: the ceremony shows
    the ranking's result, not HR's decision): a `not_eligible` outcome shows no band, also the ones
    that matched a band but give nothing (`already_at_level`, `capped`, `level_not_offered`). A team
    has one outcome per member (the team's rank; kind, eligibility and level each member's own): the
    team shows the band its promoted members share; members without a promotion do not hide it, and
    members promoted under different bands (say employees and students) leave the team without one.
    """
    bands = set(db.session.scalars(
        select(Promotion.band).where(Promotion.contest_id == contest.id, Promotion.competitor_id == competitor_id,
                                     Promotion.status != NOT_ELIGIBLE, Promotion.band.is_not(None))))
    return bands.pop() if len(bands) == 1 else None


def next_step(contest: Contest) -> dict[str, Any]:
    if contest.state != ContestState.FINAL or contest.reveal_started_at is None:
        raise ServiceError(409, "No results ceremony is running; start one first.", reason="reveal_not_started")
    if not contest.reveal_position:
        raise ServiceError(409, "Every ranked competitor has been revealed.", reason="all_revealed")
    ranked = _ranked_rows(contest)
    row = ranked[contest.reveal_position - 1]
    contest.reveal_position -= 1
    public = standings.options_for(contest, standings.PUBLIC)
    shown = next(r for r in standings.board_rows(contest, standings.PUBLIC, public)
                 if r["competitor"]["id"] == row["competitor"]["id"])
    shown = {**shown, "band": band_of(contest, row["competitor"]["id"])}
    audit.record("contest.reveal_next", f"contest:{contest.id}", contest_id=contest.id,
                 after={"competitor_id": row["competitor"]["id"], "rank": row["rank"],
                        "remaining": contest.reveal_position})
    boards.touch(contest.id)
    boards.reveal_step({"contest_id": contest.id, "row": shown, "remaining": contest.reveal_position})
    db.session.flush()
    return shown
