"""Direct promotion (竞赛直接晋升): outcomes computed at finalisation, HR review, certificates
(promotion.md; api.md, Promotions and certificates; roles.md).

`compute_for_contest` applies the pure rules of `competition.domain.promotion` to a contest that has
just become final: one `Entrant` per competitor member (a team member gets the team's rank and
total), N = the ranked competitors of the jury standings, each person's grade in the contest's
occupation under their employer's current scheme (the 新八级 template when the employer never set
one), and whether a competition promotion of theirs was confirmed in the calendar year of the
contest's end (both dates in the contest's time zone). It stores exactly one `Promotion` per person.

`confirm` and `reject` are the HR review. Decisions of one enterprise are serialised by locking the
enterprise row first (then the proposal, the person, the serial row: always in that order, so
concurrent decisions and batches cannot deadlock); the proposal's `version` must be the one the
officer saw, and the proposal still `proposed`, else 409. Confirming re-checks once-per-year, sets the
person's grade in the occupation and issues the certificate, all in the caller's transaction; both are
exactly the proposal, in the scheme version it was computed with (409 when the current scheme gives
its grade another level).

Services only flush; the API view commits. Refusals are `ServiceError`s.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm.exc import StaleDataError

from competition import clock
from competition.database import MAX_ID, get_by_id
from competition.domain import grades as domain_grades
from competition.domain.levels import LEVEL_NAMES
from competition.domain.numbers import format_decimal
from competition.domain.promotion import Entrant, compute_outcomes, count_ranked, validate_policy
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Competitor, Contest, Enterprise, Person, PersonGrade, Promotion, Role, User
from competition.models.promotion import CONFIRMED, NOT_ELIGIBLE, PROPOSED, REJECTED
from competition.services import access, audit, certificates, grade_schemes, standings, zones

REASON_LABELS = {
    "not_ranked": "未获得名次（缺赛、退赛或取消资格）",
    "kind_not_eligible": "人员类别不在晋升范围内",
    "below_min_total": "总分低于晋升最低分数",
    "already_promoted_this_year": "本年度已通过竞赛晋升",
    "no_band": "名次不在晋升范围内",
    "already_at_level": "已具有目标等级",
    "capped": "已达到本档次可晋升的最高等级",
    "level_not_offered": "该职业不设目标等级",
}
STATUS_LABELS = {PROPOSED: "待审核", NOT_ELIGIBLE: "不符合条件", CONFIRMED: "已确认", REJECTED: "已驳回"}


# --- helpers -------------------------------------------------------------------------------------------

def policy_hash(policy: Mapping[str, Any]) -> str:
    canonical = json.dumps(policy, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def year_window(contest: Contest) -> tuple[int, datetime, datetime]:
    """The calendar year of the contest's end in its time zone, as [start, end) instants in UTC."""
    zone = zones.contest_zone(contest)
    year = contest.ends_at.astimezone(zone).year
    start = datetime(year, 1, 1, tzinfo=zone).astimezone(timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=zone).astimezone(timezone.utc)
    return year, start, end


def confirmed_in_year(person_ids: Iterable[int], contest: Contest, *,
                      exclude_id: int | None = None) -> dict[int, Promotion]:
    """People among `person_ids` with a competition promotion confirmed in the calendar year of the
    contest's end (the confirmation date taken in this contest's time zone): person id → that promotion."""
    ids = list(set(person_ids))
    if not ids:
        return {}
    _, start, end = year_window(contest)
    query = (select(Promotion).where(Promotion.person_id.in_(ids), Promotion.status == CONFIRMED,
                                     Promotion.decided_at >= start, Promotion.decided_at < end)
             .order_by(Promotion.decided_at))
    if exclude_id is not None:
        query = query.where(Promotion.id != exclude_id)
    found: dict[int, Promotion] = {}
    for promotion in db.session.scalars(query):
        found.setdefault(promotion.person_id, promotion)
    return found


class _Schemes:
    """Employers' current grade schemes, looked up once each: (domain scheme, version or None)."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[domain_grades.GradeScheme, int | None]] = {}

    def of(self, enterprise_id: int) -> tuple[domain_grades.GradeScheme, int | None]:
        if enterprise_id not in self._cache:
            row = grade_schemes.current(enterprise_id)
            self._cache[enterprise_id] = ((grade_schemes.to_domain(row), row.version) if row is not None
                                          else (domain_grades.EIGHT_GRADE_TEMPLATE, None))
        return self._cache[enterprise_id]


def _grade_name(scheme: domain_grades.GradeScheme, code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return scheme.get(code).name
    except KeyError:
        return code


# --- computing outcomes at finalisation ----------------------------------------------------------------

def compute_for_contest(contest: Contest) -> list[Promotion]:
    """Store one outcome per person of a contest that has just become final (none without a policy)."""
    discard_unconfirmed(contest, audit_it=False)
    if not contest.promotion_policy:
        return []
    policy = validate_policy(contest.promotion_policy)
    snapshot = dict(contest.promotion_policy)
    digest = policy_hash(snapshot)
    board = {standing.competitor_id: (standing, rank)
             for standing, rank in standings.ranked_standings(contest.id, standings.JURY)}
    competitors = db.session.scalars(select(Competitor).where(Competitor.contest_id == contest.id)
                                     .order_by(Competitor.id)).all()
    members = [(competitor, member.person) for competitor in competitors for member in competitor.members]
    people_ids = [person.id for _, person in members]
    held = {pg.person_id: pg.grade_code for pg in db.session.scalars(
        select(PersonGrade).where(PersonGrade.person_id.in_(people_ids),
                                  PersonGrade.occupation_id == contest.occupation_id))} if people_ids else {}
    promoted = confirmed_in_year(people_ids, contest)
    schemes = _Schemes()
    entrants: list[Entrant] = []
    unknown_grades: list[str] = []
    for competitor, person in members:
        standing, rank = board.get(competitor.id, (None, None))
        ranked = competitor.status == "active" and rank is not None
        scheme, _ = schemes.of(person.enterprise_id)
        grade = held.get(person.id)
        if grade is not None and grade not in scheme.codes():
            unknown_grades.append(f"{person.name} (person {person.id}): {grade}")
        entrants.append(Entrant(
            competitor_id=competitor.id, person_id=person.id, kind=person.kind, status=competitor.status,
            rank=rank if ranked else None, total=standing.total if (ranked and standing is not None) else None,
            current_grade_code=grade, promoted_this_year=person.id in promoted, scheme=scheme))
    if unknown_grades:
        raise ServiceError(409, "Some people hold a grade that is not in their employer's grade scheme; "
                           "correct them before finalising.", errors={"grades": unknown_grades})
    outcomes = compute_outcomes(entrants, policy, offered_levels=frozenset(contest.occupation.levels or []),
                                ranked_count=count_ranked(entrants))
    stored: list[Promotion] = []
    for (competitor, person), entrant, outcome in zip(members, entrants, outcomes):
        scheme, scheme_version = schemes.of(person.enterprise_id)
        promotion = Promotion(
            contest_id=contest.id, competitor_id=competitor.id, person_id=person.id,
            enterprise_id=person.enterprise_id, occupation_id=contest.occupation_id, kind=person.kind,
            rank=outcome.rank, total=entrant.total, band=outcome.band, status=outcome.status,
            reason=outcome.reason, from_grade=outcome.from_grade,
            from_grade_name=_grade_name(scheme, outcome.from_grade), from_level=outcome.from_level,
            to_grade=outcome.to_grade, to_grade_name=_grade_name(scheme, outcome.to_grade),
            to_level=outcome.to_level, policy=snapshot, policy_hash=digest, scheme_version=scheme_version)
        db.session.add(promotion)
        stored.append(promotion)
    db.session.flush()
    counts: dict[str, int] = defaultdict(int)
    for promotion in stored:
        counts[promotion.status] += 1
    audit.record("promotions.compute", f"contest:{contest.id}", contest_id=contest.id,
                 after={"policy_hash": digest, "ranked": count_ranked(entrants), **dict(sorted(counts.items()))})
    return stored


def discard_unconfirmed(contest: Contest, *, audit_it: bool = True) -> int:
    """Delete the contest's outcomes that are not confirmed (reopening; recomputing at final)."""
    query = select(func.count()).select_from(Promotion).where(Promotion.contest_id == contest.id,
                                                              Promotion.status != CONFIRMED)
    count = db.session.scalar(query) or 0
    if count:
        db.session.execute(delete(Promotion).where(Promotion.contest_id == contest.id,
                                                   Promotion.status != CONFIRMED)
                           .execution_options(synchronize_session="fetch"))
        if audit_it:
            audit.record("promotions.discard", f"contest:{contest.id}", contest_id=contest.id,
                         after={"deleted": count})
    return count


def pending_count(enterprise_id: int) -> int:
    """Proposals of the enterprise's people still waiting for an HR decision."""
    return db.session.scalar(select(func.count()).select_from(Promotion)
                             .where(Promotion.enterprise_id == enterprise_id, Promotion.status == PROPOSED)) or 0


def confirmed_count(contest_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Promotion)
                             .where(Promotion.contest_id == contest_id, Promotion.status == CONFIRMED)) or 0


# --- reading ---------------------------------------------------------------------------------------------

def _order(query):
    return query.order_by(Promotion.rank.is_(None), Promotion.rank, Promotion.competitor_id, Promotion.person_id)


def visible_for(contest: Contest, user: User) -> list[Promotion]:
    """GET /contests/{id}/promotions: admin and organizers everything; hr its own people; else 403."""
    query = select(Promotion).where(Promotion.contest_id == contest.id)
    if user.role is Role.HR:
        query = query.where(Promotion.enterprise_id == user.enterprise_id)
    elif not access.is_staff(user):
        raise ServiceError(403, "Only organizers and HR officers may see promotion outcomes.")
    return list(db.session.scalars(_order(query)))


def find_visible(promotion_id: int, user: User) -> Promotion:
    """One outcome: admin, organizers; hr only its own people's (404 otherwise, like unknown ids)."""
    if user.role not in (Role.ADMIN, Role.ORGANIZER, Role.HR):
        raise ServiceError(403, "Only organizers and HR officers may see promotion outcomes.")
    promotion = get_by_id(Promotion, promotion_id)
    if promotion is None or (user.role is Role.HR and promotion.enterprise_id != user.enterprise_id):
        raise ServiceError(404, "No such promotion.")
    return promotion


def by_contest_for_enterprise(enterprise_id: int) -> list[tuple[Contest, list[Promotion]]]:
    """The HR page: the enterprise's outcomes grouped by contest, latest contest first."""
    rows = db.session.scalars(_order(select(Promotion).where(Promotion.enterprise_id == enterprise_id))).all()
    groups: dict[int, list[Promotion]] = defaultdict(list)
    for promotion in rows:
        groups[promotion.contest_id].append(promotion)
    found = [db.session.get(Contest, contest_id) for contest_id in groups]
    found.sort(key=lambda c: (c.final_at or c.ends_at, c.id), reverse=True)
    return [(contest, groups[contest.id]) for contest in found]


def promotion_dict(promotion: Promotion) -> dict[str, Any]:
    """The fields of api.md, GET /contests/{id}/promotions (grades as codes; null levels where none)."""
    return {
        "id": promotion.id, "competitor_id": promotion.competitor_id, "person_id": promotion.person_id,
        "rank": promotion.rank, "band": promotion.band, "status": promotion.status, "reason": promotion.reason,
        "from_grade": promotion.from_grade, "to_grade": promotion.to_grade, "from_level": promotion.from_level,
        "to_level": promotion.to_level, "version": promotion.version,
    }


def level_text(grade_name: str | None, level: int | None) -> str:
    """"高级工 (三级/高级工)"; "无等级" for no grade."""
    if grade_name is None:
        return "无等级"
    return f"{grade_name} ({LEVEL_NAMES[level]})" if level is not None else f"{grade_name} (无国家等级)"


def promotion_detail(promotion: Promotion, viewer: User | None = None) -> dict[str, Any]:
    """The api.md fields plus what a reviewer needs to read the row (names, labels, decision)."""
    certificate = promotion.certificate
    contest = promotion.contest
    return {
        **promotion_dict(promotion),
        "contest_id": promotion.contest_id, "contest_name": contest.name,
        "enterprise_id": promotion.enterprise_id, "person_name": promotion.person.name,
        "person_no": promotion.person.person_no, "kind": promotion.kind,
        "total": format_decimal(promotion.total, contest.precision)
        if promotion.total is not None else None,
        "status_label": STATUS_LABELS.get(promotion.status, promotion.status),
        "reason_label": REASON_LABELS.get(promotion.reason) if promotion.reason else None,
        "from_grade_name": promotion.from_grade_name, "to_grade_name": promotion.to_grade_name,
        "from_text": level_text(promotion.from_grade_name, promotion.from_level),
        "to_text": level_text(promotion.to_grade_name, promotion.to_level) if promotion.to_grade else None,
        "scheme_version": promotion.scheme_version, "policy_hash": promotion.policy_hash,
        "decided_at": promotion.decided_at, "reject_reason": promotion.reject_reason,
        "certificate_number": certificate.number if certificate is not None else None,
    }


# --- the HR review -----------------------------------------------------------------------------------------

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
    promotion = None
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
    person = db.session.scalar(select(Person).where(Person.id == promotion.person_id)
                               .with_for_update(of=Person).execution_options(populate_existing=True))
    if (promotion.policy or {}).get("once_per_year"):
        earlier = confirmed_in_year([person.id], contest, exclude_id=promotion.id).get(person.id)
        if earlier is not None:
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
