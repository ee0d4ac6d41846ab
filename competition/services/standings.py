"""Standings: each competitor's published figures, kept current in the transaction of each change.

A change to one competitor's marks costs work proportional to that competitor: its marks are read,
its aspect, module, component and total scores computed exactly by the domain core, rounded to the
contest precision, and stored with a precomputed rank key (competition.domain.ranking.storage_keys).
The board is then one ordered read of the cached rows, with ranks assigned in a single pass.

Two views exist (live.md): "jury" (always current) and "public" (visibility and freeze applied). While
the public view is frozen its rows are left as they stood at `freeze_at`; when the freeze moves or
ends they are rebuilt from the mark revisions.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, update

from competition import clock
from competition.domain.numbers import format_decimal
from competition.domain.ranking import RankInput, storage_keys
from competition.domain.scheme import MarkingScheme, build_scheme
from competition.domain.scoring import AspectResult, aspect_result, competitor_scores
from competition.extensions import db
from competition.models import (
    Competitor,
    CompetitorMember,
    Contest,
    ContestState,
    Enterprise,
    Mark,
    MarkRevision,
    Person,
    Standing,
)
from competition.models.board import VIEWS
from competition.services import access

JURY, PUBLIC = "jury", "public"
Values = Mapping[str, list[Decimal]]  # aspect code -> the values stored for it


# --- the marking scheme, built once per contest and scheme version ------------------------------------

_SCHEMES: dict[tuple[int, datetime, int], MarkingScheme | None] = {}  # (contest id, created_at, scheme version)
_SCHEMES_HELD = 256
_schemes_lock = threading.Lock()


def scheme_of(contest: Contest) -> MarkingScheme | None:
    """The contest's scheme, built once per contest and scheme version (every change of the scheme
    bumps the version: services.contest_scheme.set_scheme). `created_at` tells apart two databases' contests
    with the same id. The scheme column is read only when the scheme is not held yet, so readers may
    load the contest with the column deferred."""
    key = (contest.id, contest.created_at, contest.scheme_version)
    try:
        return _SCHEMES[key]
    except KeyError:
        scheme = build_scheme(contest.scheme) if contest.scheme else None
    with _schemes_lock:
        if len(_SCHEMES) >= _SCHEMES_HELD:
            _SCHEMES.pop(next(iter(_SCHEMES)))
        _SCHEMES[key] = scheme
    return scheme


# --- computing one competitor's figures ---------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    results: dict[str, AspectResult]
    total: Decimal
    components: dict[str, str]
    modules: dict[str, str]
    complete: bool
    aspects_complete: int


def compute(contest: Contest, scheme: MarkingScheme, values: Values) -> Figures:
    results = {aspect.code: aspect_result(aspect, values.get(aspect.code, []))
               for _, _, aspect in scheme.aspects()}
    scores = competitor_scores(scheme, results)
    rounded = scores.rounded(contest.precision)
    return Figures(
        results=results,
        total=rounded.total,
        components={code: format_decimal(v, contest.precision) for code, v in rounded.components.items()},
        modules={code: format_decimal(v, contest.precision) for code, v in rounded.modules.items()},
        complete=scores.complete,
        aspects_complete=scores.aspects_complete,
    )


class RankedCompetitor(Protocol):
    """What a standings row needs of its competitor: a Competitor, or a row of these columns."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def bib(self) -> str: ...
    @property
    def time_used_seconds(self) -> int | None: ...


def _columns(contest: Contest, competitor: RankedCompetitor, figures: Figures | None) -> dict[str, Any]:
    """A standings row's stored figures."""
    if figures is None:  # no scheme yet: an empty row, so the competitor is listed
        figures = Figures({}, Decimal(0), {}, {}, False, 0)
    rank_input = RankInput(
        id=competitor.id, status=competitor.status, total_rounded=figures.total,
        components_rounded={k: Decimal(v) for k, v in figures.components.items()},
        modules_rounded={k: Decimal(v) for k, v in figures.modules.items()},
        time_used_seconds=competitor.time_used_seconds, bib=competitor.bib)
    perf_key, order_key = storage_keys(rank_input, contest.tie_breakers or [])
    return {"total": figures.total, "components": figures.components, "modules": figures.modules,
            "complete": figures.complete, "aspects_complete": figures.aspects_complete,
            "ranked": competitor.status == "active", "perf_key": perf_key, "order_key": order_key}


def _store(contest: Contest, competitor: Competitor, view: str, figures: Figures | None,
           existing: Standing | None) -> Standing:
    standing = existing or Standing(contest_id=contest.id, competitor_id=competitor.id, view=view)
    if existing is None:
        db.session.add(standing)
    for name, value in _columns(contest, competitor, figures).items():
        setattr(standing, name, value)
    standing.version = (standing.version or 0) + 1
    return standing


def current_values(competitor_ids: Iterable[int]) -> dict[int, dict[str, list[Decimal]]]:
    ids = list(competitor_ids)
    found: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    if not ids:
        return found
    rows = db.session.execute(select(Mark.competitor_id, Mark.aspect_code, Mark.value)
                              .where(Mark.competitor_id.in_(ids)).order_by(Mark.slot))
    for competitor_id, aspect_code, value in rows:
        found[competitor_id][aspect_code].append(value)
    return found


def values_at(contest_id: int, moment: datetime) -> dict[int, dict[str, list[Decimal]]]:
    """Every competitor's values as they stood at `moment`, from the revision log."""
    latest: dict[tuple[int, str, int], Decimal] = {}
    rows = db.session.execute(
        select(MarkRevision.competitor_id, MarkRevision.aspect_code, MarkRevision.slot, MarkRevision.value)
        .where(MarkRevision.contest_id == contest_id, MarkRevision.at <= moment)
        .order_by(MarkRevision.at, MarkRevision.id))
    for competitor_id, aspect_code, slot, value in rows:
        latest[(competitor_id, aspect_code, slot)] = value
    found: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for (competitor_id, aspect_code, _slot), value in sorted(latest.items()):
        found[competitor_id][aspect_code].append(value)
    return found


def _standings_of(competitor_ids: list[int]) -> dict[tuple[int, str], Standing]:
    rows = db.session.scalars(select(Standing).where(Standing.competitor_id.in_(competitor_ids)))
    return {(s.competitor_id, s.view): s for s in rows}


def recompute_competitor(contest: Contest, competitor: RankedCompetitor,
                         values: Values | None = None) -> dict[str, AspectResult]:
    """Bring one competitor's rows up to date after a change; returns the jury aspect results.

    `values` are the competitor's current values when the caller has just read them. The public row
    follows unless the public view is frozen now (then it keeps the freeze-time state). Written with
    two Core UPDATEs (an INSERT for a row not there yet): this runs in every mark's transaction.
    """
    scheme = scheme_of(contest)
    if values is None:
        values = current_values([competitor.id])[competitor.id]
    figures = compute(contest, scheme, values) if scheme else None
    columns = _columns(contest, competitor, figures)
    connection = db.session.connection()
    views: tuple[str, ...] = VIEWS
    if contest.frozen_at(clock.now()) is not None and connection.execute(
            _STANDING_ID, {"b_competitor_id": competitor.id, "b_view": PUBLIC}).first() is not None:
        views = (JURY,)  # frozen: the public row keeps its freeze-time figures
    if len(views) == len(VIEWS):  # both rows with one statement: they get the same figures
        updated = connection.execute(_UPDATE_STANDINGS, {"b_competitor_id": competitor.id, **columns}).rowcount
    else:
        updated = connection.execute(_UPDATE_STANDING, {"b_competitor_id": competitor.id, "b_view": JURY,
                                                        **columns}).rowcount
    if updated < len(views):  # rows not there yet: the jury row first, so that this is id order (boards.publish)
        present = set(connection.scalars(_STANDING_VIEWS, {"b_competitor_id": competitor.id}))
        for view in (v for v in views if v not in present):
            connection.execute(insert(Standing.__table__),
                               {"contest_id": contest.id, "competitor_id": competitor.id, "view": view, **columns})
    expire_cached(competitor_id=competitor.id)
    return figures.results if figures else {}


def follow_status_while_frozen(contest: Contest, competitor: Competitor) -> None:
    """A competitor's status is not a score: while the public view is frozen its row keeps the
    freeze-time figures but is ranked by the status as it is now (scoring.md, Ranking: absent,
    withdrawn and disqualified competitors are listed after the ranked ones, without a rank), as a
    rebuild of the frozen view would rank it."""
    if contest.frozen_at(clock.now()) is None:
        return
    public = db.session.scalar(select(Standing).where(Standing.competitor_id == competitor.id,
                                                      Standing.view == PUBLIC))
    if public is None:
        return
    frozen = Figures({}, public.total, public.components, public.modules, public.complete, public.aspects_complete)
    columns = _columns(contest, competitor, frozen)
    for name in ("ranked", "perf_key", "order_key"):
        setattr(public, name, columns[name])
    public.version += 1


def expire_cached(**match: int) -> None:
    """Core writes bypass the session: expire its copies of the standings rows they touched."""
    for cached in [obj for obj in db.session.identity_map.values() if isinstance(obj, Standing)
                   and all(obj.__dict__.get(name) == value for name, value in match.items())]:
        db.session.expire(cached)


_standings = Standing.__table__.c
_STANDING_KEY = (_standings.competitor_id == bindparam("b_competitor_id")) & (_standings.view == bindparam("b_view"))
_STANDING_ID = select(_standings.id).where(_STANDING_KEY)
_STANDING_VIEWS = select(_standings.view).where(_standings.competitor_id == bindparam("b_competitor_id"))
_FIGURES: dict[str, Any] = {**{name: bindparam(name) for name in ("total", "components", "modules", "complete",
                                                  "aspects_complete", "ranked", "perf_key", "order_key")},
            "version": _standings.version + 1}
_UPDATE_STANDING = update(Standing.__table__).where(_STANDING_KEY).values(_FIGURES)
_UPDATE_STANDINGS = (update(Standing.__table__)  # every view's row (VIEWS): a competitor has one of each
                     .where(_standings.competitor_id == bindparam("b_competitor_id")).values(_FIGURES))


def rebuild(contest: Contest, views: Iterable[str] = VIEWS) -> None:
    """Recompute every competitor's rows (scheme set, freeze moved or ended, contest final)."""
    views = tuple(views)
    scheme = scheme_of(contest)
    competitors = db.session.scalars(select(Competitor).where(Competitor.contest_id == contest.id)).all()
    ids = [c.id for c in competitors]
    existing = _standings_of(ids) if ids else {}
    live = current_values(ids)
    frozen_at = contest.frozen_at(clock.now())
    public_values = values_at(contest.id, frozen_at) if frozen_at is not None else live
    for competitor in competitors:
        for view in views:
            source = live if view == JURY else public_values
            figures = compute(contest, scheme, source[competitor.id]) if scheme else None
            _store(contest, competitor, view, figures, existing.get((competitor.id, view)))
    db.session.flush()


# --- the board ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _CompetitorColumns:
    id: int
    bib: str
    team_name: str | None
    marking_no: str | None
    status: str


@dataclass(frozen=True)
class Identity:
    id: int
    bib: str
    name: str
    enterprise: str
    marking_no: str | None
    status: str
    members: tuple[dict[str, Any], ...]


def identities(contest_id: int) -> dict[int, Identity]:
    """Who each competitor is, for boards: bib, name (team name or members), enterprise(s)."""
    rows = db.session.execute(
        select(Competitor.id, Competitor.bib, Competitor.team_name, Competitor.marking_no, Competitor.status,
               CompetitorMember.position, Person.id, Person.name, Enterprise.name)
        .join(CompetitorMember, CompetitorMember.competitor_id == Competitor.id, isouter=True)
        .join(Person, Person.id == CompetitorMember.person_id, isouter=True)
        .join(Enterprise, Enterprise.id == Person.enterprise_id, isouter=True)
        .where(Competitor.contest_id == contest_id)
        .order_by(Competitor.id, CompetitorMember.position))
    grouped: dict[int, tuple[_CompetitorColumns, list[tuple[int, str, str]]]] = {}
    for competitor_id, bib, team_name, marking_no, status, _position, person_id, person_name, enterprise_name in rows:
        competitor = _CompetitorColumns(competitor_id, bib, team_name, marking_no, status)
        entry = grouped.setdefault(competitor.id, (competitor, []))
        if person_id is not None:
            entry[1].append((person_id, person_name, enterprise_name))
    result = {}
    for competitor_id, (competitor, members) in grouped.items():
        names = "、".join(name for _, name, _ in members)
        enterprises = "、".join(dict.fromkeys(e for _, _, e in members if e))
        result[competitor_id] = Identity(
            id=competitor_id, bib=competitor.bib, name=competitor.team_name or names, enterprise=enterprises,
            marking_no=competitor.marking_no, status=competitor.status,
            members=tuple({"person_id": pid, "name": name, "enterprise": e} for pid, name, e in members))
    return result


@dataclass(frozen=True)
class BoardOptions:
    """What a viewer may see: scores (not in final_only public views before final), identities."""

    precision: int = 2
    show_scores: bool = True
    blind: bool = False  # a judge of a blind contest: marking numbers only
    ids: bool = True  # False: the public view of a blind contest before final (see options_for)
    team: bool = False
    reveal_hidden: int = 0  # during a results ceremony: how many top ranked rows are still hidden


def options_for(contest: Contest, view: str, *, blind: bool = False) -> BoardOptions:
    show_scores = view == JURY or contest.visibility == "live" or contest.state == ContestState.FINAL
    hidden = access.ranks_held(contest) if view == PUBLIC else 0  # a ceremony (live.md)
    # Judges of a blind contest know competitors by id and marking number (roles.md, 加密评分): a
    # public row that paired the id with the name would undo the marking numbers. Until the contest is
    # final its public rows carry no id; the bib identifies them.
    ids = view != PUBLIC or access.public_ids(contest)
    return BoardOptions(precision=contest.precision, show_scores=show_scores, blind=blind, ids=ids,
                        team=contest.team_size > 1, reveal_hidden=hidden)


def competitor_of(identity: Identity, options: BoardOptions) -> dict[str, Any]:
    if options.blind:
        return {"id": identity.id, "marking_no": identity.marking_no}
    competitor: dict[str, Any] = {"id": identity.id, "bib": identity.bib, "name": identity.name,
                                  "enterprise": identity.enterprise}
    if not options.ids:
        del competitor["id"]
    if options.team:
        competitor["members"] = [{"name": m["name"], "enterprise": m["enterprise"]} for m in identity.members]
    return competitor


def row_of(standing: Standing, identity: Identity, rank: int | None, options: BoardOptions,
           *, hidden: bool = False) -> dict[str, Any]:
    """One row as in GET /standings and the live board (api.md, Results)."""
    row: dict[str, Any] = {"rank": None, "competitor": competitor_of(identity, options), "total": None,
                           "components": {}, "modules": {}, "complete": standing.complete,
                           "aspects_complete": standing.aspects_complete, "status": identity.status}
    if options.show_scores and not hidden:
        row.update(rank=rank, total=format_decimal(standing.total, options.precision),
                   components=dict(standing.components), modules=dict(standing.modules))
    return row


def row_hash(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


_BOARD = (select(*(Standing.__table__.c[name] for name in (
    "id", "competitor_id", "total", "components", "modules", "complete", "aspects_complete", "ranked", "perf_key",
    "version")))
    .where(Standing.__table__.c.contest_id == bindparam("contest_id"), Standing.__table__.c.view == bindparam("view"))
    .order_by(Standing.__table__.c.order_key))


def ranked_standings(contest_id: int, view: str) -> list[tuple[Any, int | None]]:
    """The cached rows in board order with their ranks (1 + ranked rows strictly ahead).

    Plain rows (a Core select), read-only: boards read every row of a view on each update."""
    standings = db.session.connection().execute(_BOARD, {"contest_id": contest_id, "view": view}).all()
    result: list[tuple[Any, int | None]] = []
    previous_key, current = None, 0
    for position, standing in enumerate(standings, start=1):
        if not standing.ranked:
            result.append((standing, None))
            continue
        if standing.perf_key != previous_key:
            current, previous_key = position, standing.perf_key
        result.append((standing, current))
    return result


def view_rows(contest: Contest, view: str, options: BoardOptions,
              people: dict[int, Identity] | None = None) -> list[tuple[Any, dict[str, Any]]]:
    """The board of a view: each cached row with the row a viewer gets, in board order.

    Where ranks are not shown (final_only before final, or rows still hidden during a results
    ceremony) the order must not reveal them, so those rows are listed by bib, ahead of the ranked.
    """
    ranked = ranked_standings(contest.id, view)
    people = identities(contest.id) if people is None else people
    ranked_ids = [standing.competitor_id for standing, rank in ranked if rank is not None]
    hidden = set(ranked_ids[:options.reveal_hidden])  # the top rows not yet revealed
    pairs = [(standing, row_of(standing, people[standing.competitor_id], rank, options,
                               hidden=standing.competitor_id in hidden))
             for standing, rank in ranked]
    if not options.show_scores or hidden:
        pairs.sort(key=lambda pair: (_group(pair[1]), pair[1]["rank"] or 0, _bib_order(pair[1]["competitor"])))
    return pairs


def _group(row: Mapping[str, Any]) -> int:
    """Board groups: active rows without a shown rank first, ranked rows, then unranked statuses."""
    if row["status"] != "active":
        return 2
    return 0 if row["rank"] is None else 1


def board_rows(contest: Contest, view: str, options: BoardOptions) -> list[dict[str, Any]]:
    return [row for _, row in view_rows(contest, view, options)]


def _bib_order(competitor: Mapping[str, Any]) -> tuple[tuple[int | str, ...], int]:
    """Natural bib order. A public row of a blind contest carries no id before final (options_for);
    bibs are unique within a contest, so the id only breaks ties between rows that carry one."""
    text = competitor.get("bib") or competitor.get("marking_no") or ""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)), competitor.get("id") or 0
