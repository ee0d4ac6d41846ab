"""Who may see or do what (roles.md): every such question answered once, for the API, the pages and
the sockets.

- staff: admin and organizer;
- a judge's seat in a contest, a chief judge, who supervises (jury views, all marks);
- blind marking (加密评分): judges know competitors by marking number only until the contest is final;
- whose ID and phone numbers a viewer sees in full;
- how much of the final results a results ceremony still holds back from the public.
"""
from __future__ import annotations

from sqlalchemy import select

from competition.extensions import db
from competition.models import Contest, ContestJudge, ContestState, Role, User

STAFF_ROLES = (Role.ADMIN, Role.ORGANIZER)


def is_staff(user: User | None) -> bool:
    return user is not None and user.role in STAFF_ROLES


def seat_of(contest_id: int, user: User | None) -> ContestJudge | None:
    """The judge's seat in the contest (its aspects, chief flag), or None for anyone else."""
    if user is None or user.role != Role.JUDGE:
        return None
    return db.session.scalar(select(ContestJudge).where(ContestJudge.contest_id == contest_id,
                                                        ContestJudge.user_id == user.id))


def is_chief(contest_id: int, user: User | None) -> bool:
    """roles.md: a chief judge is a judge flagged `chief` in this contest."""
    seat = seat_of(contest_id, user)
    return seat is not None and seat.chief


def may_supervise(contest_id: int, user: User | None) -> bool:
    """The jury view, all marks, competitor status: organizers, admins and the contest's chief judges."""
    return is_staff(user) or is_chief(contest_id, user)


def is_blind(contest: Contest) -> bool:
    """Blind marking is in force: the contest marks by marking number and is not final yet."""
    return bool(contest.blind and contest.state != ContestState.FINAL)


def numbers_only(contest: Contest, user: User | None) -> bool:
    """Does `user` know the competitors by marking number only? Judges (the chief included) of a
    blind contest, until it is final; staff always see names."""
    return user is not None and user.role == Role.JUDGE and is_blind(contest)


def public_ids(contest: Contest) -> bool:
    """Do public rows carry competitor ids? Not while blind marking is in force: a public row pairing
    the id with the name would undo the marking numbers (the bib identifies the row instead)."""
    return not is_blind(contest)


HOLD_ALL = 1 << 30  # more ranked rows than any contest has


def ranks_held(contest: Contest) -> int:
    """How many of the top ranked rows the public may not see yet (live.md, Results ceremony): during a
    reveal, those not revealed yet; a final contest that holds its results for the ceremony
    (`ceremony`) holds them all until its reveal starts, and none after the last step. Every public
    view applies this: board snapshots and updates, GET /standings and the results files through
    standings.options_for, awards and medal tables through awards.ceremony_held. The jury view and
    HR's views are never held."""
    if contest.reveal_started_at is not None:
        return contest.reveal_position or 0
    if contest.ceremony and contest.state == ContestState.FINAL:
        return HOLD_ALL
    return 0


def sees_identity(user: User | None, enterprise_id: int | None) -> bool:
    """ID and phone numbers are shown in full only to admin and the person's own enterprise's hr."""
    if user is None:
        return False
    return user.role is Role.ADMIN or (user.role is Role.HR and user.enterprise_id == enterprise_id)
