"""Finding contests and what a viewer may see of them (api.md Contests, roles.md). Settings, the
marking scheme, entries and the lifecycle are their own modules: contest_settings, contest_scheme,
entries, lifecycle.

Every function works on the current session and only flushes; the API view commits once. Rules that
are pure (schemes, tie-breakers, policies) live in competition.domain; this module applies them to
stored contests, keeps the standings caches and live boards informed, and writes the audit log.
Failures are `ServiceError`s (competition.errors), answered with the api.md error body.
"""
from __future__ import annotations

from sqlalchemy import select

from competition.database import MAX_ID, get_by_id
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Competitor, Contest, ContestState, User
from competition.services import access, standings

DRAFT, RUNNING, PROVISIONAL, FINAL = (ContestState.DRAFT, ContestState.RUNNING, ContestState.PROVISIONAL,
                                      ContestState.FINAL)


def find(contest_id: int, user: User | None, *, for_update: bool = False) -> Contest:
    """The contest, or 404: unknown, or a draft asked for by anyone but staff (api.md, Contests)."""
    contest: Contest | None = None
    if 0 < contest_id <= MAX_ID:
        query = select(Contest).where(Contest.id == contest_id)
        if for_update:  # serialise state changes of one contest (no-op on SQLite)
            query = query.with_for_update(of=Contest)
        contest = db.session.scalar(query)
    if contest is None or (contest.state == DRAFT and not access.is_staff(user)):
        raise ServiceError(404, "No such contest.")
    return contest


def visible_contests(user: User | None) -> list[Contest]:
    query = select(Contest).order_by(Contest.starts_at.desc(), Contest.id.desc())
    if not access.is_staff(user):
        query = query.where(Contest.state != DRAFT)
    return list(db.session.scalars(query))


def find_competitor(contest: Contest, competitor_id: int) -> Competitor:
    competitor = get_by_id(Competitor, competitor_id)
    if competitor is None or competitor.contest_id != contest.id:
        raise ServiceError(404, "No such competitor in this contest.")
    return competitor


def viewer_options(contest: Contest, user: User | None, view: str) -> standings.BoardOptions:
    """What `user` may see of a view (GET /standings, exports): 401/403 for the jury view without the
    right; a chief judge of a blind contest sees marking numbers only until the contest is final."""
    if view == standings.JURY:
        if user is None:
            raise ServiceError(401, "Sign in first (a bearer token or a session).")
        if not access.may_supervise(contest.id, user):
            raise ServiceError(403, "The jury view is for the contest's chief judge and organizers.")
        return standings.options_for(contest, standings.JURY, blind=access.numbers_only(contest, user))
    return standings.options_for(contest, standings.PUBLIC)
