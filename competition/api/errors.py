"""The JSON error body of api.md: {"code", "status", "message", "errors"?}, for every error under /api.

Pages get HTML error pages instead; see competition.web.
"""
from __future__ import annotations

import logging

from flask import jsonify, request
from flask_smorest import abort as _smorest_abort
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError, ServiceUnavailable
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


def abort(code: int, message: str, *, errors: dict | list | None = None, headers: dict | None = None,
          **extra):
    """Stop the request with the api.md error body. `extra` fields are added to the body (e.g. the
    current mark on a stale-version 409)."""
    kwargs = {"message": message}
    if errors is not None:
        kwargs["errors"] = errors
    if headers:
        kwargs["headers"] = headers
    if extra:
        kwargs["extra"] = extra
    _smorest_abort(code, **kwargs)


def error_body(error: HTTPException) -> tuple[dict, dict]:
    data = getattr(error, "data", None) or {}
    code = error.code or 500
    body = {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, error.name),
        "message": data.get("message") or _describe(error),
    }
    errors = data.get("errors")
    if errors is None and "messages" in data:  # webargs validation errors
        errors = _flatten_locations(data["messages"])
    if errors is not None:
        body["errors"] = errors
    body.update(data.get("extra") or {})
    return body, dict(data.get("headers") or {})


def _describe(error: HTTPException) -> str:
    generic = type(error).description
    if error.description and error.description != generic:
        return error.description
    return DEFAULT_MESSAGES.get(error.code or 500, error.name)


def _flatten_locations(messages: dict) -> dict:
    """webargs reports {"json": {...}} or {"query": {...}}; api.md wants the field errors themselves."""
    if len(messages) == 1:
        (only,) = messages.values()
        return only
    return messages


def json_error(error: HTTPException):
    body, headers = error_body(error)
    if error.code == 422 and "errors" in body and body["message"] == DEFAULT_MESSAGES[422]:
        body["message"] = "Some fields are not valid; see errors."
    return jsonify(body), body["code"], headers


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_database_error_handlers(app) -> None:
    """Database faults are 409 (integrity) or 503 (unreachable), never a 500 with a stack trace."""

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError):
        from competition.extensions import db

        db.session.rollback()
        log.warning("integrity error: %s", error.orig)
        return app.handle_http_exception(Conflict("This conflicts with existing data."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def _unavailable(error: DBAPIError):
        from competition.extensions import db

        try:
            db.session.rollback()
        except Exception:  # the connection may be gone; the pool will replace it
            db.session.remove()
        _forget_unloaded_user()
        if getattr(error, "connection_invalidated", False) or isinstance(error, OperationalError):
            log.error("database unavailable: %s", error.orig)
            exc = ServiceUnavailable("The database is unavailable; try again shortly.")
            exc.data = {"message": exc.description, "headers": {"Retry-After": "5"}}
            return app.handle_http_exception(exc)
        log.exception("database error")
        return app.handle_http_exception(InternalServerError())


def _forget_unloaded_user() -> None:
    """When loading the signed-in user is what failed, the error page (its header shows who is signed
    in) would ask the database again and turn the 503 into a bare 500: answer as anonymous instead."""
    from flask import g

    from competition.extensions import login_manager

    if g.get("_login_user") is None:  # where flask-login keeps the user it loaded
        g._login_user = login_manager.anonymous_user()
