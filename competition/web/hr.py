"""HR pages: the enterprise's grade scheme, its people and their bulk import.

An hr officer works on its own enterprise; an admin picks one with `?enterprise_id=N` (organizers may
read the people list the same way, with ID and phone numbers masked). Anonymous visitors are sent to
the sign-in page; other roles get the 403 page. The pages write only through the JSON API (plain JS
modules under static/js/hr/, CSRF token from the page's meta tag).
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from competition.database import MAX_ID
from competition.domain.levels import NATIONAL_LEVELS
from competition.extensions import db
from competition.i18n import band_rules, id_type_names, kind_names, level_names
from competition.models import Person, Role
from competition.services import access, certificates, enterprises, grade_schemes, people, people_import, promotions

bp = Blueprint("hr", __name__, url_prefix="/hr")

PAGE_SIZE = 50


def hr_page(*roles: Role) -> Callable:
    """Sign-in, role and enterprise for an HR page; the view receives the enterprise as `g.enterprise`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                target = request.full_path if request.query_string else request.path
                return redirect(url_for("web.login", next=target))
            if current_user.role not in roles:
                raise _forbidden()
            enterprise_id = request.args.get("enterprise_id", type=int)
            if current_user.role is Role.HR:
                enterprise_id = enterprise_id or current_user.enterprise_id
            elif enterprise_id is None:
                return render_template("hr/choose.html", enterprises=enterprises.visible_enterprises(current_user),
                                       target=request.endpoint)
            g.enterprise = enterprises.enterprise_in_scope(current_user, enterprise_id, roles)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _forbidden() -> Forbidden:
    error = Forbidden(_("您的角色无权使用此页面。"))
    error.data = {"message": error.description}
    return error


def scoped_url(endpoint: str, **values) -> str:
    """A URL of another HR page for the same enterprise (admins carry `enterprise_id` along)."""
    if current_user.is_authenticated and current_user.role is not Role.HR:
        values.setdefault("enterprise_id", g.enterprise.id)
    return url_for(endpoint, **values)


@bp.app_context_processor
def _hr_globals():
    return {"hr_url": scoped_url, "level_names": level_names(), "id_type_names": id_type_names()}


@bp.get("")
@hr_page(Role.ADMIN, Role.HR)
def index():
    enterprise = g.enterprise
    scheme = grade_schemes.current(enterprise.id)
    headcount = db.session.query(Person).filter_by(enterprise_id=enterprise.id).count()
    return render_template("hr/index.html", enterprise=enterprise, scheme=scheme, headcount=headcount,
                           pending_promotions=promotions.pending_count(enterprise.id))


@bp.get("/grade-scheme")
@hr_page(Role.ADMIN, Role.HR)
def grade_scheme():
    enterprise = g.enterprise
    versions = grade_schemes.versions(enterprise.id)
    wanted = request.args.get("version", type=int)
    if wanted and not 0 < wanted <= MAX_ID:  # beyond the database's integers: no such version (not a 500)
        abort(404)
    scheme = grade_schemes.version(enterprise.id, wanted) if wanted else grade_schemes.current(enterprise.id)
    if wanted and scheme is None:
        abort(404)
    held = grade_schemes.held_codes(enterprise.id, {g.code for g in scheme.grades}) if scheme else {}
    return render_template("hr/grade_scheme.html", enterprise=enterprise, scheme=scheme, versions=versions,
                           latest=versions[-1] if versions else None, held=held,
                           saved=request.args.get("saved", type=int), levels=NATIONAL_LEVELS)


@bp.get("/people")
@hr_page(Role.ADMIN, Role.HR, Role.ORGANIZER)
def people_list():
    enterprise = g.enterprise
    q = request.args.get("q", "", type=str)[:100]
    page = min(max(1, request.args.get("page", 1, type=int)), MAX_ID)  # a huge page would overflow OFFSET
    found, total = people.page(enterprise, q, viewer=current_user, page=page, page_size=PAGE_SIZE)
    scheme = people.SchemeView.of(enterprise.id)
    rows = [people.person_dict(p, viewer=current_user, scheme=scheme) for p in found]
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return render_template("hr/people.html", enterprise=enterprise, rows=rows, q=q, page=page, pages=pages,
                           total=total, kind_labels=kind_names(),
                           can_edit=current_user.role in (Role.ADMIN, Role.HR),
                           sees_ids=access.sees_identity(current_user, enterprise.id))


@bp.get("/people/import")
@hr_page(Role.ADMIN, Role.HR)
def people_import_page():
    enterprise = g.enterprise
    return render_template("hr/import.html", enterprise=enterprise, columns=people_import.COLUMNS,
                           required=people_import.REQUIRED, labels=people_import.LABELS,
                           scheme=grade_schemes.current(enterprise.id))


@bp.get("/promotions", endpoint="promotions")
@hr_page(Role.ADMIN, Role.HR)
def promotions_page():
    """竞赛直接晋升: the enterprise's outcomes grouped by contest; its hr officers confirm or reject."""
    enterprise = g.enterprise
    groups = []
    for contest, rows in promotions.by_contest_for_enterprise(enterprise.id):
        details = [promotions.promotion_detail(p, current_user) for p in rows]
        reviewed = [d for d in details if d["status"] != promotions.NOT_ELIGIBLE]
        counts = {status: sum(1 for d in details if d["status"] == status) for status in promotions.STATUS_LABELS}
        groups.append({"contest": contest, "rows": reviewed, "counts": counts,
                       "ends_on": certificates.local_date(contest, contest.ends_at),
                       "ineligible": [d for d in details if d["status"] == promotions.NOT_ELIGIBLE],
                       "band_rules": band_rules(contest.promotion_policy)})
    return render_template("hr/promotions.html", enterprise=enterprise, groups=groups,
                           can_decide=current_user.role is Role.HR, status_labels=promotions.STATUS_LABELS)
