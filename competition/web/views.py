"""Landing page, sign-in and sign-out, language switch, and the API docs page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competition.errors import ServiceError
from competition.extensions import db
from competition.i18n import LANG_COOKIE
from competition.models import Role, User
from competition.security import sign_in, sign_out
from competition.services import accounts, worklist

bp = Blueprint("web", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the sign-in page cannot be used to redirect elsewhere."""
    if not target:
        return url_for("web.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.index")
    return target


_ROLE_HOMES = {Role.HR: "hr.index", Role.ORGANIZER: "organize.index", Role.ADMIN: "admin.users"}


def landing_for(user: User) -> str:
    """Where a user lands after signing in without a `next` (live.md, Pages): judges on their tablet
    page, a chief judge on the jury console of the contest they lead, everyone else on their role's
    console."""
    if user.role == Role.JUDGE:
        led = next((c for c in worklist.judge_contests(user) if c["chief"] and c["state"] != "final"), None)
        if led is not None:
            return url_for("live_pages.jury", contest_id=led["id"])
        return url_for("live_pages.judging.home")
    return url_for(_ROLE_HOMES.get(user.role, "web.index"))


def _login_again(status: int, username: str):
    """The sign-in form again, the username kept; judges who came from the tablet's sign-in get that
    page back, not the generic one."""
    from competition.web.judging import sign_in_page

    next_page = request.form.get("next", "")
    if next_page == url_for("live_pages.judging.home"):
        return sign_in_page(username=username, status=status)
    return make_response(render_template("login.html", next=next_page, username=username), status)


@bp.get("/")
def index():
    """The landing page: the contests live or recently final with their boards, and the events."""
    from competition.services import events
    from competition.web.live_pages import on_now

    return render_template("index.html", contests=on_now(), events=events.all_events()[:20])


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        user = accounts.authenticate(username, password, request.remote_addr or "unknown")
    except ServiceError as refused:  # the sign-in form again, with the refusal in the page's language
        if refused.reason == "throttled":
            flash(_("登录失败次数过多，请 %(seconds)s 秒后再试。", seconds=refused.headers["Retry-After"]), "error")
        else:
            flash(_("用户名或密码错误。"), "error")
        response = _login_again(refused.status, username)
        response.headers.update(refused.headers)
        return response
    sign_in(user)
    db.session.commit()
    next_page = request.form.get("next")
    return redirect(_safe_next(next_page) if next_page else landing_for(user))


@bp.post("/logout")
def logout():
    sign_out()  # the session ends on the server: a copy of the cookie is refused from now on
    db.session.commit()
    return redirect(url_for("web.index"))


@bp.get("/lang/<code>")
def set_language(code: str):
    from flask import current_app

    response = redirect(_safe_next(request.args.get("next")))
    if code in current_app.config["COMPETITION_LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.get("/api/docs")
def api_docs():
    return render_template("api_docs.html")


@bp.app_context_processor
def _page_globals():
    from flask_babel import get_locale

    return {"current_user": current_user, "locale": str(get_locale() or "zh_CN")}
