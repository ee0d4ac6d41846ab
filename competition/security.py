"""Sign-in loaders, CSRF on browser writes, and security headers (roles.md, Sessions)."""
from __future__ import annotations

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError

from competition.extensions import csrf, login_manager
from competition.models import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = (  # set on every response that has not set its own
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a request without a session cookie (API calls
    with a bearer token, spectators, the judge's tablet before sign-in) gets an empty session without
    building the signing serializer first: Flask builds it (key derivation, a trial serialisation)
    on every request, and it is only needed to read or write a cookie."""

    def open_session(self, app: Flask, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@login_manager.user_loader
def _load_session_user(session_id: str) -> User | None:
    """The session's user ("id.epoch.key", User.get_id), if its session is still live on the server
    (services.sessions: not signed out, not ended by a password change or a switch-off, not expired)."""
    if bearer_token() is not None:
        return None  # a request carrying a token is judged by its token alone
    user_id, epoch, key = (session_id.split(".", 2) + ["", ""])[:3]
    if not (user_id.isdigit() and epoch.isdigit() and key) or int(user_id) > 2**31 - 1 or len(key) > 100:
        return None
    from competition.services import sessions

    user = sessions.session_user(int(user_id), int(epoch), key)
    if user is not None:
        user.session_key = key
    return user


def session_key() -> str | None:
    """The key of the current browser session (the third part of the cookie's user id)."""
    from flask import session

    parts = str(session.get("_user_id") or "").split(".", 2)
    return parts[2] if len(parts) == 3 and parts[2] else None


def sign_in(user: User) -> None:
    """Start a server-side session for `user` and put it in the cookie (the caller commits)."""
    from flask_login import login_user

    from competition.services import sessions

    user.session_key = sessions.start(user)
    login_user(user)


def sign_out() -> None:
    """End the current browser session on the server and in the cookie (the caller commits)."""
    from flask_login import logout_user

    from competition.services import sessions

    key = session_key()
    if key:
        sessions.end(key)
    logout_user()


@login_manager.request_loader
def _load_token_user(_request) -> User | None:
    from competition.services.accounts import user_for_token

    token = bearer_token()
    if token is None:
        return None
    g.via_token = True
    return user_for_token(token)


def _check_csrf() -> None:
    """Browser writes need the CSRF token; API clients using bearer tokens (no cookies) do not.

    A write that carries no bearer token and either a session cookie or a form is a browser write.
    """
    if request.method in SAFE_METHODS or bearer_token() is not None:
        return
    from flask import current_app

    has_session = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    if has_session or not request.path.startswith("/api/"):
        csrf.protect()


def _personal_page() -> bool:
    """A page rendered for a signed-in user (HR's people with ID numbers, certificates, the jury's
    views): roles.md wants pages with personal data kept out of caches, and any signed-in page may
    show some. Public pages (boards, verification) stay cacheable."""
    if request.endpoint in (None, "static"):
        return False
    user = g.get("_login_user")  # loaded only when the page asked who is signed in
    return user is not None and user.is_authenticated


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    app.before_request(_check_csrf)

    @app.errorhandler(CSRFError)
    def _csrf_failed(error: CSRFError):
        from flask_babel import gettext as _
        from werkzeug.exceptions import Forbidden

        forbidden = Forbidden(f"CSRF check failed: {error.description}")
        forbidden.data = {"message": forbidden.description,
                          "page_message": _("页面已过期，无法确认请求来自本站。请刷新页面后重试。")}
        return app.handle_http_exception(forbidden)

    @app.after_request
    def _headers(response):
        # Werkzeug's lookup of an absent header raises and catches an exception, so the names present
        # are read once rather than asked one at a time.
        headers = response.headers
        present = set(headers.keys(lower=True))
        headers.extend([(name, value) for name, value in SECURITY_HEADERS if name.lower() not in present])
        if request.is_secure and "strict-transport-security" not in present:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        if "cache-control" not in present and (request.path.startswith("/api/") or _personal_page()):
            headers["Cache-Control"] = "no-store"
        return response
