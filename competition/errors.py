"""One error type and one handler.

A service (or a view) refuses a request by raising `ServiceError(status, message, reason=..., errors=...)`;
nothing translates one error into another. The one handler answers it, and every HTTP error (a
flask-smorest validation 422, a page's `abort(404)`, a database fault), as the api.md error body under
/api/ ({"code", "status", "message", "errors"?, "reason"?, context fields...}) or as an HTML page.

The JSON body keeps its English `message`; a page shows the error in the page's language: the page's own
message when the raiser gave one (`page_message`, already translated), the wording of a known `reason`,
or the generic message of the status code (always for a server fault).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NoReturn

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger("competition.errors")

DEFAULT_MESSAGES = {
    400: "The request body is not valid JSON or is malformed.",
    401: "Sign in first (a bearer token or a session).",
    403: "You are not allowed to do this.",
    404: "Not found.",
    405: "Method not allowed.",
    409: "Conflict with the current state.",
    413: "The request body is too large.",
    415: "Unsupported media type.",
    422: "The request is not valid.",
    429: "Too many requests; try again later.",
    500: "Internal error.",
    503: "The service is temporarily unavailable; try again shortly.",
}


class ServiceError(Exception):
    """A refused request: its HTTP `status`, an English `message` for API users, field-level `errors`
    (api.md), a stable machine-readable `reason` (pages and clients word it in the user's language),
    response `headers` (e.g. Retry-After) and context fields added to the body (e.g. a stale mark's
    current `mark`)."""

    def __init__(self, status: int, message: str | None = None, *, reason: str | None = None,
                 errors: Mapping[str, Any] | list[Any] | None = None, headers: Mapping[str, str] | None = None,
                 page_message: str | None = None, **context: Any):
        message = message or DEFAULT_MESSAGES.get(status) or HTTP_STATUS_CODES.get(status, "Error")
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason
        self.errors = (dict(errors) if isinstance(errors, Mapping) else list(errors)) if errors else None
        self.headers = dict(headers or {})
        self.page_message = page_message
        self.context = context

    def body(self) -> dict[str, Any]:
        """The api.md error body."""
        body: dict[str, Any] = {"code": self.status, "status": HTTP_STATUS_CODES.get(self.status, "Error"),
                                "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        if self.reason is not None:
            body["reason"] = self.reason
        body.update(self.context)
        return body


def abort(status: int, message: str | None = None, **kwargs: Any) -> NoReturn:
    """Stop the request with the api.md error body (see ServiceError for the keywords)."""
    raise ServiceError(status, message, **kwargs)


def not_found(what: str = "object", *, reason: str | None = None) -> ServiceError:
    return ServiceError(404, f"No such {what}.", reason=reason)


# --- from an HTTP exception ---------------------------------------------------------------------------

def from_http(error: HTTPException) -> ServiceError:
    """werkzeug's and flask-smorest's errors (`abort(404)`, webargs' 422) as a ServiceError."""
    data = getattr(error, "data", None) or {}
    code = error.code or 500
    errors = data.get("errors")
    if errors is None and "messages" in data:  # webargs validation errors
        errors = _flatten_locations(data["messages"])
    message = data.get("message") or _describe(error)
    if code == 422 and errors and message == DEFAULT_MESSAGES[422]:
        message = "Some fields are not valid; see errors."
    return ServiceError(code, message, errors=errors, headers=data.get("headers"),
                        page_message=data.get("page_message"), **(data.get("extra") or {}))


def _describe(error: HTTPException) -> str:
    generic = type(error).description
    if error.description and error.description != generic:
        return error.description
    return DEFAULT_MESSAGES.get(error.code or 500, error.name)


def _flatten_locations(messages: dict[str, Any]) -> Any:
    """webargs reports {"json": {...}} or {"query": {...}}; api.md wants the field errors themselves."""
    if len(messages) == 1:
        (only,) = messages.values()
        return only
    return messages


# --- the one handler ------------------------------------------------------------------------------------

def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def respond(error: ServiceError | HTTPException):
    """The answer to any refused request: JSON under /api/ (or when asked for), else an HTML page."""
    if isinstance(error, HTTPException):
        error = from_http(error)
    if wants_json():
        return jsonify(error.body()), error.status, error.headers
    return html_page(error)


def generic_texts(code: int) -> tuple[str, str] | None:
    """(title, message) of a status code on an error page, in the page's language."""
    texts = {
        400: (_("请求无效"), _("请求的格式不正确。")),
        401: (_("需要登录"), _("请先登录。")),
        403: (_("无权访问"), _("您无权执行此操作。")),
        404: (_("未找到"), _("找不到该页面或对象。")),
        405: (_("不支持的请求"), _("此页面不支持该请求方式。")),
        409: (_("操作冲突"), _("该操作与当前状态冲突。")),
        413: (_("内容过大"), _("提交的内容过大。")),
        415: (_("格式不支持"), _("不支持提交的内容格式。")),
        422: (_("请求无效"), _("提交的内容不符合要求。")),
        429: (_("请求过于频繁"), _("请求过于频繁，请稍后再试。")),
        500: (_("服务器内部错误"), _("服务器内部错误。")),
        503: (_("服务暂不可用"), _("服务暂时不可用，请稍后再试。")),
    }
    return texts.get(code)


def reason_texts(reason: str | None) -> str | None:
    """A page's wording of a service's `reason`."""
    texts = {
        "no_such_enterprise": _("没有这个企业。"),
        "no_such_certificate": _("没有这个证书。"),
    }
    return texts.get(reason or "")


def html_page(error: ServiceError):
    body, code = error.body(), error.status
    texts = generic_texts(code)
    title = texts[0] if texts else body["status"]
    message = error.page_message or reason_texts(error.reason) or error.message
    if texts and (message == DEFAULT_MESSAGES.get(code) or code >= 500):  # a server fault: no details
        message = texts[1]
    return render_template("error.html", error=body, title=title, message=message), code, error.headers


# --- database faults -------------------------------------------------------------------------------------

def _integrity(error: IntegrityError):
    from competition.extensions import db

    db.session.rollback()
    log.warning("integrity error: %s", error.orig)
    return respond(ServiceError(409, "This conflicts with existing data."))


def _unavailable(error: DBAPIError):
    """Database faults are 409 (integrity) or 503 (unreachable), never a 500 with a stack trace."""
    from competition.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the pool will replace it
        db.session.remove()
    _forget_unloaded_user()
    if getattr(error, "connection_invalidated", False) or isinstance(error, OperationalError):
        log.error("database unavailable: %s", error.orig)
        return respond(ServiceError(503, "The database is unavailable; try again shortly.",
                                    headers={"Retry-After": "5"}))
    log.exception("database error")
    return respond(ServiceError(500))


def _pool_exhausted(error: PoolTimeout):
    """Every connection of the pool is busy (a hung database holds them) and none came free within
    the pool timeout: SQLAlchemy's "QueuePool limit ... reached". 503, as for the database itself."""
    from competition.extensions import db

    db.session.remove()
    _forget_unloaded_user()
    log.error("database pool exhausted: %s", error)
    return respond(ServiceError(503, "The database is busy or unavailable; try again shortly.",
                                headers={"Retry-After": "5"}))


def _forget_unloaded_user() -> None:
    """When loading the signed-in user is what failed, the error page (its header shows who is signed
    in) would ask the database again and turn the 503 into a bare 500: answer as anonymous instead."""
    from competition.extensions import login_manager

    if g.get("_login_user") is None:  # where flask-login keeps the user it loaded
        g._login_user = login_manager.anonymous_user()


def init_app(app: Flask) -> None:
    """Register the one handler: ServiceError and database faults here; HTTP errors reach `respond`
    through flask-smorest's Api.handle_http_exception (competition.api)."""
    app.register_error_handler(ServiceError, respond)
    app.register_error_handler(IntegrityError, _integrity)
    app.register_error_handler(OperationalError, _unavailable)
    app.register_error_handler(DBAPIError, _unavailable)
    app.register_error_handler(PoolTimeout, _pool_exhausted)
