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
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, delete, func, select

from competition.database import get_by_id
from competition.domain import grades as domain_grades
from competition.domain.levels import LEVEL_NAMES
from competition.domain.numbers import format_decimal
from competition.domain.promotion import Entrant, compute_outcomes, count_ranked, validate_policy
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Competitor, Contest, PersonGrade, Promotion, Role, User
from competition.models.promotion import CONFIRMED, NOT_ELIGIBLE, PROPOSED, REJECTED
from competition.services import access, audit, grade_schemes, standings, zones

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

def _order(query: Select[Promotion]) -> Select[Promotion]:
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
    found = [db.session.get_one(Contest, contest_id) for contest_id in groups]
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
