"""A contest's marking scheme: set it while a draft, check it fits the judges, and summarise it for
the boards (api.md, PUT /contests/{id}/marking-scheme; scoring.md)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from competition.domain.ranking import TieBreakerError, validate_tie_breakers
from competition.domain.scheme import MarkingScheme, SchemeError, build_scheme, scheme_to_dict
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Contest, ContestJudge, ContestState
from competition.models.contest import ALL_ASPECTS
from competition.services import audit, boards, standings

DRAFT, RUNNING, PROVISIONAL, FINAL = (ContestState.DRAFT, ContestState.RUNNING, ContestState.PROVISIONAL,
                                      ContestState.FINAL)


def set_scheme(contest: Contest, raw: object) -> MarkingScheme:
    """PUT /contests/{id}/marking-scheme: validate, store (version + 1), rebuild the standings."""
    require_draft_for_scheme(contest)
    try:
        scheme = build_scheme(raw)
    except SchemeError as error:
        raise ServiceError(422, "The marking scheme is not valid; see errors.", errors=error.errors) from None
    _check_scheme_fits(contest, scheme)
    before = {"scheme_version": contest.scheme_version, "scheme": contest.scheme}
    contest.scheme = scheme_to_dict(scheme)
    contest.scheme_version += 1
    standings.rebuild(contest)
    boards.touch(contest.id)
    audit.record("contest.scheme", f"contest:{contest.id}", before=before,
                 after={"scheme_version": contest.scheme_version, "scheme": contest.scheme}, contest_id=contest.id)
    return scheme


def require_draft_for_scheme(contest: Contest) -> None:
    if contest.state != DRAFT:
        raise ServiceError(409, "The marking scheme can only change while the contest is a draft.",
                           reason="scheme_fixed")


def _check_scheme_fits(contest: Contest, scheme: MarkingScheme) -> None:
    """The stored tie-breakers and judge assignments must still name codes of the new scheme (409)."""
    errors: dict[str, list[str]] = {}
    try:
        validate_tie_breakers(contest.tie_breakers or [], scheme)
    except TieBreakerError as error:
        errors[error.path] = [f"the contest's tie-breakers: {error}"]
    aspect_codes = {a.code for _, _, a in scheme.aspects()}
    for judge in db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == contest.id)):
        if judge.aspects != ALL_ASPECTS and set(judge.aspects) - aspect_codes:
            missing = ", ".join(sorted(set(judge.aspects) - aspect_codes))
            errors.setdefault("judges", []).append(f"judge {judge.user_id} is assigned to aspects not in "
                                                   f"the new scheme: {missing}")
    if errors:
        raise ServiceError(409, "The new marking scheme does not fit the contest's settings; see errors.",
                           errors=errors,
                           reason="scheme_misfit")


def scheme_summary(contest: Contest) -> list[dict[str, Any]]:
    """Components and modules (codes, names, weights, maxima): what boards label their columns with."""
    scheme = standings.scheme_of(contest)
    if scheme is None:
        return []
    return [{"code": c.code, "name": c.name, "weight": format(c.weight, "f"), "max_mark": format(c.max_mark, "f"),
             "modules": [{"code": m.code, "name": m.name, "max_mark": format(m.max_mark, "f")} for m in c.modules]}
            for c in scheme.components]
