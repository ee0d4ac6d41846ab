"""The admin's console: /admin/users lists the accounts, creates them, switches them off and on and
resets passwords; /admin/enterprises lists the enterprises and creates them. The views check access and
render; the plain-JS modules under static/js/admin/ do everything else through the JSON API
(competition/api/users.py, competition/api/enterprises.py)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competition.models import Role
from competition.web.access import page_for

bp = Blueprint("admin", __name__, url_prefix="/admin")


admin_page = page_for(Role.ADMIN)


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
