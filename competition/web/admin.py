"""The admin's console: /admin/users lists the accounts, creates them, switches them off and on and
resets passwords; /admin/enterprises lists the enterprises and creates them. The views check access and
render; the plain-JS modules under static/js/admin/ do everything else through the JSON API
(competition/api/users.py, competition/api/enterprises.py)."""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competition.models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_page(view: Callable) -> Callable:
    """Anonymous visitors go to the sign-in page (and come back); other roles than admin get the 403 page."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        if current_user.role is not Role.ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def role_names() -> dict[str, str]:
    return {"admin": _("系统管理员"), "organizer": _("竞赛组织者"), "judge": _("裁判"), "hr": _("人力资源")}


@bp.get("")
@admin_page
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
@admin_page
def users():
    config = {"me": current_user.id, "roles": list(role_names())}
    return render_template("admin/users.html", config=config, role_names=role_names())


@bp.get("/enterprises")
@admin_page
def enterprises():
    return render_template("admin/enterprises.html", config={})
