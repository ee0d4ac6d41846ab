"""Qualification (选拔赛 → 决赛) and drawing lots (抽签) (events.md).

`qualify` copies a final contest's ranked competitors within the limit (ties at the cut all qualify)
into a draft contest of the same occupation and team size, bibs by rank. `draw` permutes the existing
bibs or stations among a contest's competitors from a seed, before any mark, and records the seed,
the algorithm and the inputs in the audit entry so that anyone can recompute the draw
(competition.domain.lots).
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from competition.database import get_by_id
from competition.domain.lots import ALGORITHM, bib_labels, cut_rank, permute
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Competitor, CompetitorMember, Contest, ContestState, Mark
from competition.services import audit, boards, standings
from competition.services.entries import add_competitor, competitors_of


def qualify(source: Contest, data: Mapping[str, Any]) -> list[Competitor]:
    """POST /contests/{id}/qualify → the competitors added to the target, best first."""
    target = _target(source, data["to_contest_id"])
    ranked = [(standing.competitor_id, rank) for standing, rank in
              standings.ranked_standings(source.id, standings.JURY) if rank is not None]
    top_percent = data.get("top_percent")
    last = cut_rank(len(ranked), top=data.get("top"),
                    top_percent=None if top_percent is None else Decimal(top_percent))
    chosen = [(competitor_id, rank) for competitor_id, rank in ranked if rank <= last]
    entries = {c.id: c for c in competitors_of(source)}
    _check_free(target, [entries[cid] for cid, _ in chosen])
    added = []
    for bib, (competitor_id, rank) in zip(bib_labels(len(chosen)), chosen):
        entry = entries[competitor_id]
        person_ids = [m.person_id for m in entry.members]
        body: dict[str, Any] = ({"person_id": person_ids[0]} if target.team_size == 1
                                else {"member_ids": person_ids, "team_name": entry.team_name})
        added.append((add_competitor(target, {**body, "bib": bib}), competitor_id, rank))
    audit.record("contest.qualify", f"contest:{target.id}", contest_id=target.id,
                 after={"from_contest_id": source.id, "top": data.get("top"),
                        "top_percent": None if top_percent is None else str(top_percent), "cut_rank": last,
                        "added": [{"competitor_id": c.id, "from_competitor_id": f, "rank": r, "bib": c.bib}
                                  for c, f, r in added]})
    return [competitor for competitor, _, _ in added]


def _target(source: Contest, target_id: int) -> Contest:
    if source.state != ContestState.FINAL:
        raise ServiceError(409, "Qualifiers come from a final contest.", errors={"contest_id": ["must be final"]},
                           reason="source_not_final")
    target = get_by_id(Contest, target_id)
    if target is None or target.id == source.id:
        problem = "unknown contest" if target is None else "must be another contest"
        raise ServiceError(422, "Name another contest to qualify into.", errors={"to_contest_id": [problem]})
    errors: dict[str, list[str]] = {}
    if target.occupation_id != source.occupation_id:
        errors["to_contest_id"] = [f"occupation {target.occupation.code} differs from the source's "
                                   f"{source.occupation.code}"]
    elif target.team_size != source.team_size:
        errors["to_contest_id"] = [f"team size {target.team_size} differs from the source's {source.team_size}"]
    if errors:
        raise ServiceError(422, "The target contest does not match the source; see errors.", errors=errors)
    if target.state != ContestState.DRAFT:
        raise ServiceError(409, f"Qualifiers go into a draft contest (it is {target.state.value}).",
                           errors={"to_contest_id": ["must be a draft"]}, reason="target_not_draft")
    return target


def _check_free(target: Contest, entries: list[Competitor]) -> None:
    """409 (and nobody added) when a qualifier is already entered or a bib is taken."""
    person_ids = [m.person_id for entry in entries for m in entry.members]
    entered = sorted(db.session.scalars(select(CompetitorMember.person_id).where(
        CompetitorMember.contest_id == target.id, CompetitorMember.person_id.in_(person_ids))))
    bibs = sorted(db.session.scalars(select(Competitor.bib).where(
        Competitor.contest_id == target.id, Competitor.bib.in_(bib_labels(len(entries))))))
    errors: dict[str, list[str]] = {}
    if entered:
        errors["to_contest_id"] = [f"already entered in the target: people {entered}"]
    if bibs:
        errors.setdefault("to_contest_id", []).append(f"bibs already used in the target: {bibs}")
    if errors:
        raise ServiceError(409, "Some qualifiers conflict with the target's entries; nobody was added.", errors=errors,
                           reason="entry_conflict")


def draw(contest: Contest, what: str, seed: str | None) -> dict[str, Any]:
    """POST /contests/{id}/draw: permute the bibs (or stations) among the competitors."""
    if contest.state not in (ContestState.DRAFT, ContestState.RUNNING):
        raise ServiceError(409, "Lots are drawn before the contest is provisional or final.",
                           reason="draw_too_late")
    marks = db.session.scalar(select(func.count()).select_from(Mark).where(Mark.contest_id == contest.id))
    if marks:
        raise ServiceError(409, "Marks exist already; lots are drawn before any mark.",
                           errors={"what": ["marks exist already"]}, reason="marks_exist")
    seed = seed if seed is not None else secrets.token_hex(8)
    competitors = competitors_of(contest)  # in id order: the order the algorithm's input is listed in
    values = [getattr(c, what) for c in competitors]
    drawn = permute(seed, values)
    if what == "bib":  # bibs are unique in a contest: clear them first so a swap never collides
        for competitor in competitors:
            competitor.bib = f"~{competitor.id}"
        db.session.flush()
    for competitor, value in zip(competitors, drawn):
        setattr(competitor, what, value)
    db.session.flush()
    if what == "bib":
        standings.rebuild(contest)  # the board order follows bibs within a rank
        boards.touch(contest.id)
    assignment: list[dict[str, Any]] = [{"competitor_id": c.id, "bib": c.bib, "station": c.station}
                                        for c in competitors]
    audit.record("contest.draw", f"contest:{contest.id}", contest_id=contest.id,
                 before={"what": what, "competitor_ids": [c.id for c in competitors], "values": values},
                 after={"what": what, "seed": seed, "algorithm": ALGORITHM, "assignment": assignment})
    names = {c.id: c.display_name for c in competitors}  # for the organiser's page; not audited
    return {"seed": seed, "algorithm": ALGORITHM, "what": what,
            "assignment": [{**entry, "name": names[entry["competitor_id"]]} for entry in assignment]}
