"""The HR review of promotion proposals (promotion.md, "Review"): confirm (grant the grade, issue the
certificate) or reject, one at a time or as a batch with a savepoint per row. Only the person's
employer's HR officers decide; `version` guards each decision."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from competition import clock
from competition.database import MAX_ID
from competition.domain import grades as domain_grades
from competition.domain.levels import LEVEL_NAMES
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Enterprise, Person, PersonGrade, Promotion, Role, User
from competition.models.promotion import CONFIRMED, PROPOSED, REJECTED
from competition.services import audit, certificates, grade_schemes, zones
from competition.services.promotions import (
    STATUS_LABELS,
    confirmed_in_year,
    promotion_detail,
    promotion_dict,
    year_window,
)

# --- deciding -----------------------------------------------------------------------------------------

def _require_hr(user: User) -> None:
    if user.role is not Role.HR or user.enterprise_id is None:
        raise ServiceError(403, "Only an HR officer of the person's employer may decide on a promotion.")


def lock_enterprise(user: User) -> None:
    """Serialise the decisions of one enterprise (no-op on SQLite, whose writers are serialised)."""
    _require_hr(user)
    db.session.execute(select(Enterprise.id).where(Enterprise.id == user.enterprise_id).with_for_update())


def lock_for_decision(promotion_id: int, user: User) -> Promotion:
    """The proposal, freshly read and locked; 404 for an unknown id or another enterprise's person."""
    _require_hr(user)
    promotion: Promotion | None = None
    if 0 < promotion_id <= MAX_ID:
        promotion = db.session.scalar(select(Promotion).where(Promotion.id == promotion_id)
                                      .with_for_update(of=Promotion)
                                      .execution_options(populate_existing=True))
    if promotion is None or promotion.enterprise_id != user.enterprise_id:
        raise ServiceError(404, "No such promotion.")
    return promotion


def _check_decidable(promotion: Promotion, version: int) -> None:
    if promotion.status != PROPOSED:
        label = STATUS_LABELS.get(promotion.status, promotion.status)
        raise ServiceError(409, f"This promotion is no longer proposed: it is {promotion.status} ({label}).",
                           current=promotion_dict(promotion))
    if version != promotion.version:
        raise ServiceError(409, f"This promotion has changed (version {promotion.version}, not {version}); "
                           "reload it and decide again.", current=promotion_dict(promotion))


def _version_text(scheme_version: int | None) -> str:
    return f"version {scheme_version}" if scheme_version is not None else "the 新八级 template"


def _level_text(level: int | None) -> str:
    return f"level {level} ({LEVEL_NAMES[level]})" if level is not None else "no national level"


def _grantable_target(promotion: Promotion, scheme: domain_grades.GradeScheme,
                      scheme_version: int | None) -> domain_grades.Grade:
    """The proposal's target grade in the enterprise's current scheme, when granting its code gives the
    person exactly what the proposal says; 409 otherwise.

    A person holds a grade as a code of the employer's *current* scheme (`PersonGrade`), read with
    that version's level. The proposal was computed with the version it keeps; if the current version
    dropped the code, maps it to another national level (granting it would give a level the policy and
    its cap did not award, or less than the certificate would say) or makes it appointment-only
    (promotion.md step 5: never an appointed_only grade), the held grade, the certificate and the
    proposal could not agree, so the proposal cannot be confirmed as it stands.
    """
    code, proposed = promotion.to_grade, promotion.to_level
    computed = _version_text(promotion.scheme_version)
    now_ = _version_text(scheme_version)
    remedy = ("Reject this proposal; while none of the contest's promotions is confirmed, the organiser can "
              "reopen and finalise the contest again to recompute it under the current scheme.")
    if code not in scheme.codes():
        raise ServiceError(409, f"The grade {code!r} is no longer in the enterprise's grade scheme ({now_}); "
                           f"the proposal cannot be confirmed. {remedy}",
                      errors={"to_grade": [f"{code} is not in the grade scheme ({now_})"]},
                      current=promotion_dict(promotion))
    grade = scheme.get(code)
    if grade.national_level != proposed:
        raise ServiceError(
            409, f"The grade scheme changed after this proposal was computed: it proposes {code!r} "
                 f"({promotion.to_grade_name}) at {_level_text(proposed)} under {computed}, but {now_} maps "
                 f"{code!r} ({grade.name}) to {_level_text(grade.national_level)}. Confirming would record a "
                 f"grade of another level than the proposal and its certificate. {remedy}",
            errors={"to_grade": [f"{code} is {_level_text(grade.national_level)} in {now_}, "
                                 f"not {_level_text(proposed)} as in {computed}"]},
            current=promotion_dict(promotion))
    if grade.appointed_only:
        raise ServiceError(
            409, f"The grade {code!r} ({grade.name}) is reached by appointment only in the current grade scheme "
                 f"({now_}); a competition promotion never grants it. {remedy}",
            errors={"to_grade": [f"{code} is appointed_only in {now_}"]}, current=promotion_dict(promotion))
    return grade


def confirm(promotion: Promotion, user: User, version: int, *, at: datetime | None = None) -> Promotion:
    """Confirm a proposal: the person's grade in the occupation becomes the target grade and the
    certificate is issued, in the caller's transaction. 409 when stale, already decided, or when the
    person has had another competition promotion confirmed in that year meanwhile (once_per_year).

    What is granted is exactly the proposal: its grade code, and the certificate prints that grade's
    name and national level as they were in the scheme version the proposal was computed with
    (promotion.md: promotions and certificates keep the version they used). 409 when the enterprise's
    current scheme no longer gives that code the proposed level (see `_grantable_target`)."""
    at = at or clock.now()
    _check_decidable(promotion, version)
    contest = promotion.contest
    person = db.session.scalars(select(Person).where(Person.id == promotion.person_id)
                                .with_for_update(of=Person).execution_options(populate_existing=True)).one()
    if (promotion.policy or {}).get("once_per_year"):
        earlier = confirmed_in_year([person.id], contest, exclude_id=promotion.id).get(person.id)
        if earlier is not None:
            assert earlier.decided_at is not None  # confirmed_in_year finds decided promotions only
            year, _, _ = year_window(contest)
            decided = earlier.decided_at.astimezone(zones.contest_zone(contest)).date().isoformat()
            raise ServiceError(
                409, f"{person.name} already had a competition promotion confirmed in {year} "
                     f"(contest {earlier.contest.name!r}, confirmed {decided}); this contest's policy allows "
                     "one per person per year. Reject this proposal instead.",
                errors={"once_per_year": [f"promotion {earlier.id} confirmed {decided}"]},
                current=promotion_dict(promotion))
    scheme_row = grade_schemes.current(promotion.enterprise_id)
    scheme = grade_schemes.to_domain(scheme_row) if scheme_row else domain_grades.EIGHT_GRADE_TEMPLATE
    target = _grantable_target(promotion, scheme, scheme_row.version if scheme_row else None)
    held = db.session.scalar(select(PersonGrade).where(PersonGrade.person_id == person.id,
                                                       PersonGrade.occupation_id == promotion.occupation_id))
    if held is not None and held.grade_code in scheme.codes() and \
            scheme.index(held.grade_code) >= scheme.index(target.code):
        raise ServiceError(409, f"{person.name} already holds {scheme.get(held.grade_code).name}, which is not "
                           f"below {target.name}; the proposal is out of date.",
                      current=promotion_dict(promotion))
    before = {"status": promotion.status, "version": promotion.version,
              "grade": held.grade_code if held is not None else None}
    if held is None:
        held = PersonGrade(person_id=person.id, occupation_id=promotion.occupation_id)
        db.session.add(held)
    held.grade_code, held.since, held.source = promotion.to_grade, at, "promotion"
    promotion.status, promotion.decided_by, promotion.decided_at = CONFIRMED, user.id, at
    _flush(promotion)
    certificate = certificates.issue(promotion, user=user, now=at)
    audit.record("promotion.confirm", f"promotion:{promotion.id}", contest_id=promotion.contest_id,
                 before=before,
                 after={"status": CONFIRMED, "version": promotion.version, "person_id": person.id,
                        "grade": promotion.to_grade, "level": promotion.to_level,
                        "scheme_version": promotion.scheme_version, "certificate": certificate.number})
    return promotion


def reject(promotion: Promotion, user: User, version: int, reason: str | None, *,
           at: datetime | None = None) -> Promotion:
    """Reject a proposal; a reason is required (422 without)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(422, "Rejecting a promotion needs a reason.", errors={"reason": ["required to reject"]})
    if len(reason) > 2000:
        raise ServiceError(422, "The reason is too long.", errors={"reason": ["at most 2000 characters"]})
    _check_decidable(promotion, version)
    before = {"status": promotion.status, "version": promotion.version}
    promotion.status, promotion.decided_by, promotion.decided_at = REJECTED, user.id, at or clock.now()
    promotion.reject_reason = reason
    _flush(promotion)
    audit.record("promotion.reject", f"promotion:{promotion.id}", contest_id=promotion.contest_id, before=before,
                 after={"status": REJECTED, "version": promotion.version, "reason": reason})
    return promotion


def _flush(promotion: Promotion) -> None:
    """Write the decision; the UPDATE carries `WHERE version = <read>`, so a lost race is a 409."""
    try:
        db.session.flush()
    except StaleDataError:
        raise ServiceError(409, "This promotion was decided by someone else meanwhile; reload it.") from None


def decide(promotion_id: int, user: User, action: str, version: int, reason: str | None = None) -> Promotion:
    """One decision, locks taken in the documented order."""
    lock_enterprise(user)
    promotion = lock_for_decision(promotion_id, user)
    if action == "confirm":
        return confirm(promotion, user, version)
    return reject(promotion, user, version, reason)


def decide_batch(decisions: Sequence[Mapping[str, Any]], user: User) -> list[dict[str, Any]]:
    """POST /promotions/decide: each decision in its own savepoint, so one refusal does not undo the
    others; the results come back in the request's order. Decisions are applied in id order (the lock
    order), which is also the order of any two decisions on one proposal in the batch."""
    lock_enterprise(user)
    results: dict[int, dict[str, Any]] = {}
    order = sorted(range(len(decisions)), key=lambda i: (decisions[i]["id"], i))
    for index in order:
        item = decisions[index]
        result: dict[str, Any] = {"id": item["id"], "action": item["action"]}
        # A refused decision's savepoint rolls back with any audit entries it queued (services.audit).
        savepoint = db.session.begin_nested()
        try:
            promotion = lock_for_decision(item["id"], user)
            if item["action"] == "confirm":
                confirm(promotion, user, item["version"])
            else:
                reject(promotion, user, item["version"], item.get("reason"))
            savepoint.commit()
        except ServiceError as error:
            savepoint.rollback()
            result.update(ok=False, status=error.status, message=error.message)
            if error.errors:
                result["errors"] = error.errors
            if "current" in error.context:
                result["current"] = error.context["current"]
        else:
            result.update(ok=True, status=200, promotion=promotion_detail(promotion, user),
                          certificate=certificates.certificate_dict(promotion.certificate, user)
                          if promotion.certificate is not None else None)
        results[index] = result
    return [results[i] for i in range(len(decisions))]
