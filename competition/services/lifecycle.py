"""A contest's lifecycle: draft → running → provisional → final, reopening, and lifting a freeze
(scoring.md; api.md, POST /contests/{id}/transition). Final computes promotions and awards."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from competition import clock
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Competitor, Contest, ContestState, ModuleLock, Standing
from competition.services import appeals, audit, awards, boards, promotions, standings

DRAFT, RUNNING, PROVISIONAL, FINAL = (ContestState.DRAFT, ContestState.RUNNING, ContestState.PROVISIONAL,
                                      ContestState.FINAL)
RUNNING_AGAIN = "running_again"
TARGETS = ("running", "provisional", "final", RUNNING_AGAIN)
_FROM = {"running": {DRAFT}, "provisional": {RUNNING}, "final": {RUNNING, PROVISIONAL},
         RUNNING_AGAIN: {PROVISIONAL, FINAL}}


def transitions_from(state: ContestState) -> list[str]:
    """The targets a contest in `state` may be sent to (the organiser's page offers these; `transition`
    still checks the rest: scheme, locks, appeals, confirmed promotions)."""
    return [to for to in TARGETS if state in _FROM[to]]


def open_appeals(contest: Contest) -> list[dict[str, Any]]:
    """Appeals of the contest not yet decided; they block final (scoring.md, 申诉)."""
    return [{"id": a.id, "competitor_id": a.competitor_id, "aspect_codes": list(a.aspect_codes)}
            for a in appeals.undecided(contest)]


def confirmed_promotions(contest: Contest) -> int:
    """How many promotion proposals of the contest HR has confirmed; any blocks reopening."""
    return promotions.confirmed_count(contest.id)


def refusal(contest: Contest, to: str, now: datetime | None = None) -> ServiceError | None:
    """Why `contest` may not go to `to` now (the 409 `transition` answers), or None. The organiser's page
    asks this for every transition it shows, and offers only those that would be accepted."""
    if contest.state not in _FROM[to]:
        return ServiceError(409, f"A {contest.state.value} contest cannot go to {to}.", reason="transition_not_allowed")
    check = {"running": _start_refusal, "provisional": _provisional_refusal, "final": _final_refusal,
             RUNNING_AGAIN: _reopen_refusal}[to]
    return check(contest, now or clock.now())


def transition(contest: Contest, to: str, reason: str | None, now: datetime | None = None) -> Contest:
    """POST /contests/{id}/transition. Refusals are 409 (422 for a reopen without a reason)."""
    now = now or clock.now()
    if to == RUNNING_AGAIN and not (reason and reason.strip()):
        raise ServiceError(422, "Reopening a contest needs a reason.",
                           errors={"reason": ["required to reopen a contest"]},
                           reason="reason_required")
    refused = refusal(contest, to, now)
    if refused is not None:
        raise refused
    before = contest.state
    {"running": _start, "provisional": _publish_provisional, "final": _finalise,
     RUNNING_AGAIN: _reopen}[to](contest, now)
    audit.record("contest.transition", f"contest:{contest.id}", contest_id=contest.id,
                 before={"state": before.value}, after={"state": contest.state.value, "to": to, "reason": reason})
    boards.state_changed(contest)
    return contest


def _start_refusal(contest: Contest, now: datetime) -> ServiceError | None:
    if standings.scheme_of(contest) is None:
        return ServiceError(409, "Set the marking scheme before starting the contest.",
                            errors={"marking_scheme": ["required before the contest runs"]}, reason="scheme_missing")
    return None


def _start(contest: Contest, now: datetime) -> None:
    contest.state = RUNNING


def _provisional_refusal(contest: Contest, now: datetime) -> ServiceError | None:
    unlocked = unlocked_modules(contest)
    if unlocked:
        return ServiceError(409, "Every module must be locked before provisional results are published.",
                            errors={"unlocked_modules": unlocked}, reason="modules_unlocked")
    return None


def _publish_provisional(contest: Contest, now: datetime) -> None:
    contest.state, contest.provisional_at = PROVISIONAL, now


def _final_refusal(contest: Contest, now: datetime) -> ServiceError | None:
    if contest.state == RUNNING and contest.appeal_window_minutes > 0:
        return ServiceError(409, f"This contest has an appeal window of {contest.appeal_window_minutes} minutes: "
                            "publish provisional results first.", reason="provisional_first")
    errors: dict[str, Any] = missing_for_final(contest)
    if contest.state == PROVISIONAL:
        closes = appeals.appeal_window_closes_at(contest)
        if closes is not None and now < closes:
            errors["appeal_window_closes_at"] = closes.isoformat()
        undecided = open_appeals(contest)
        if undecided:
            errors["open_appeals"] = undecided
    if errors:
        return ServiceError(409, "The contest cannot be final yet; see errors for what is missing.", errors=errors,
                            reason="not_ready_for_final")
    return None


def _finalise(contest: Contest, now: datetime) -> None:
    contest.state, contest.final_at = FINAL, now
    standings.rebuild(contest)  # the public view unfreezes at final
    _compute_promotions(contest)
    awards.decide(contest)


def _compute_promotions(contest: Contest) -> None:
    """promotion.md: the outcomes are computed when the contest becomes final (none without a policy)."""
    promotions.compute_for_contest(contest)


def _reopen_refusal(contest: Contest, now: datetime) -> ServiceError | None:
    confirmed = confirmed_promotions(contest)
    if confirmed:
        return ServiceError(409, f"{confirmed} promotion(s) of this contest are already confirmed; it cannot reopen.",
                            reason="promotions_confirmed")
    return None


def _reopen(contest: Contest, now: datetime) -> None:
    if (contest.state == FINAL and contest.freeze_at is not None and contest.freeze_at <= now
            and contest.unfrozen_at is None):
        contest.unfrozen_at = now  # the final results were public: reopening does not freeze them again
    contest.state, contest.final_at, contest.provisional_at = RUNNING, None, None
    contest.reveal_started_at, contest.reveal_position = None, None
    standings.rebuild(contest)
    promotions.discard_unconfirmed(contest)  # none is confirmed: checked above
    awards.discard(contest)


def unlocked_modules(contest: Contest) -> list[str]:
    scheme = standings.scheme_of(contest)
    if scheme is None:
        return []
    locked = set(db.session.scalars(select(ModuleLock.module_code).where(ModuleLock.contest_id == contest.id,
                                                                         ModuleLock.locked.is_(True))))
    return [module.code for _, module in scheme.modules() if module.code not in locked]


def incomplete_competitors(contest: Contest) -> list[dict[str, Any]]:
    """Active competitors whose jury standing is not complete (a missing row counts as incomplete)."""
    rows = db.session.execute(
        select(Competitor.id, Competitor.bib, Standing.complete)
        .join(Standing, and_(Standing.competitor_id == Competitor.id, Standing.view == standings.JURY),
              isouter=True)
        .where(Competitor.contest_id == contest.id, Competitor.status == "active")
        .order_by(Competitor.id))
    return [{"id": cid, "bib": bib} for cid, bib, complete in rows if not complete]


def missing_for_final(contest: Contest) -> dict[str, Any]:
    """What keeps a contest from being final: unlocked modules, incomplete active competitors."""
    missing: dict[str, Any] = {}
    unlocked = unlocked_modules(contest)
    if unlocked:
        missing["unlocked_modules"] = unlocked
    incomplete = incomplete_competitors(contest)
    if incomplete:
        missing["incomplete_competitors"] = incomplete
    return missing


def unfreeze(contest: Contest, now: datetime | None = None) -> Contest:
    """POST /contests/{id}/unfreeze: the public sees everything from now on."""
    now = now or clock.now()
    if contest.state == FINAL:
        raise ServiceError(409, "A final contest is not frozen.", reason="not_frozen")
    if contest.freeze_at is None or contest.unfrozen_at is not None:
        raise ServiceError(409, "The contest has no freeze to lift.", reason="not_frozen")
    contest.unfrozen_at = now
    standings.rebuild(contest, [standings.PUBLIC])
    boards.state_changed(contest)
    audit.record("contest.unfreeze", f"contest:{contest.id}", contest_id=contest.id,
                 before={"freeze_at": contest.freeze_at}, after={"unfrozen_at": now})
    return contest
