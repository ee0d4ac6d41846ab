"""Awards of a contest (events.md, Awards): the scheme's validation for the contest settings, the
awards decided when the contest becomes final, and what of them the public may see.

The public sees an award only where its public view shows the competitor's rank: nothing before the
contest is final, and during a results ceremony only the rows already revealed (live.md: a ceremony
hold shows the list without totals, ranks or awards). Staff see every decided award.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from competition.domain.awards import Award, AwardSchemeError, Placed, awards_to_dict, decide_awards, validate_awards
from competition.extensions import db
from competition.models import Contest, ContestAward, ContestState
from competition.services import access, audit, standings


def clean_scheme(raw: object) -> list[dict[str, Any]] | None:
    """A submitted `awards` setting in its stored form (None or [] for none); raises
    AwardSchemeError with paths such as `awards.1.ranks`."""
    if raw is None:
        return None
    return awards_to_dict(validate_awards(raw))


def scheme_of(contest: Contest) -> tuple[Award, ...]:
    return validate_awards(contest.awards or [])


def decide(contest: Contest) -> list[ContestAward]:
    """At final: store each ranked competitor's award from the jury ranking (replacing any earlier)."""
    discard(contest)
    scheme = scheme_of(contest)
    if not scheme:
        return []
    ranked = [(standing, rank) for standing, rank in standings.ranked_standings(contest.id, standings.JURY)
              if rank is not None]
    placed = [Placed(id=standing.competitor_id, rank=rank, total=Decimal(standing.total))
              for standing, rank in ranked]
    decided = decide_awards(placed, scheme)
    positions = {award.code: index for index, award in enumerate(scheme)}
    rows = [ContestAward(contest_id=contest.id, competitor_id=row.id, position=positions[decided[row.id].code],
                         code=decided[row.id].code, name=decided[row.id].name, rank=row.rank, total=row.total)
            for row in placed if row.id in decided]
    db.session.add_all(rows)
    db.session.flush()
    audit.record("contest.awards", f"contest:{contest.id}", contest_id=contest.id,
                 after={"awards": [{"competitor_id": r.competitor_id, "code": r.code, "rank": r.rank}
                                   for r in rows]})
    return rows


def discard(contest: Contest) -> None:
    """On reopening: the awards go with the final ranking."""
    db.session.execute(delete(ContestAward).where(ContestAward.contest_id == contest.id))


def decided(contest_id: int) -> dict[int, ContestAward]:
    return {a.competitor_id: a for a in db.session.scalars(
        select(ContestAward).where(ContestAward.contest_id == contest_id))}


def ceremony_held(contest: Contest) -> bool:
    """A results ceremony holds the contest's results: `ceremony: true` from final until the last
    reveal step, or a reveal still running (the rule: access.ranks_held)."""
    return access.ranks_held(contest) > 0


def _held_before_reveal(contest: Contest) -> bool:
    """`ceremony: true` (live.md) and the reveal not started: the public sees no award at all. The
    contest model gains that flag with the results-ceremony issue; until then this is never true."""
    return bool(getattr(contest, "ceremony", False)) and contest.state == ContestState.FINAL and (
        contest.reveal_started_at is None)


def results_public(contest: Contest) -> bool:
    """Final and not held for a ceremony: the public may see its results, awards and medals."""
    return contest.state == ContestState.FINAL and not ceremony_held(contest)


def award_rows(contest: Contest, view: str, options: standings.BoardOptions) -> list[dict[str, Any]]:
    """GET /contests/{id}/awards: awarded competitors whose rank the view shows, best first."""
    if view == standings.PUBLIC and _held_before_reveal(contest):
        return []
    given = decided(contest.id)
    rows = []
    for row in standings.board_rows(contest, view, options):
        award = given.get(row["competitor"].get("id", -1))
        if award is None or row["rank"] is None:
            continue
        rows.append((award.position, row["rank"], {"competitor": row["competitor"], "rank": row["rank"],
                                                   "total": row["total"],
                                                   "award": {"code": award.code, "name": award.name}}))
    return [entry for _position, _rank, entry in sorted(rows, key=lambda r: (r[1], r[0]))]


def public_award_codes(contest: Contest) -> dict[int, str]:
    """competitor id → award code, as far as the public view shows it (for the medal table)."""
    if contest.state != ContestState.FINAL:
        return {}
    options = standings.options_for(contest, standings.PUBLIC)
    return {row["competitor"]["id"]: row["award"]["code"]
            for row in award_rows(contest, standings.PUBLIC, options)}


def award_names(contest: Contest, view: str, options: standings.BoardOptions) -> dict[int, str]:
    """competitor id → award name for the results files (rows whose rank the view shows)."""
    return {row["competitor"]["id"]: row["award"]["name"] for row in award_rows(contest, view, options)}


__all__ = ["AwardSchemeError", "award_names", "award_rows", "ceremony_held", "clean_scheme", "decide",
           "decided", "discard", "public_award_codes", "results_public", "scheme_of"]
