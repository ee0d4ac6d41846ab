"""One JSON log line per request (operations.md); audit entries log themselves on commit."""
from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, g, request
from sqlalchemy import inspect


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        payload = json.loads(message) if message.startswith("{") else {"message": message}
        payload = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                   "logger": record.name, **payload}
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger("competition")
    root.setLevel(level)
    if any(getattr(h, "_competition", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._competition = True
    root.addHandler(handler)
    root.propagate = False


access_log = logging.getLogger("competition.access")


def _user_id(loaded) -> int | None:
    """The signed-in user's id without touching the database (it may be the problem, and after the
    commit every attribute would be reloaded just for this line)."""
    if loaded is None or not hasattr(loaded, "_sa_instance_state"):
        return None  # anonymous
    identity = inspect(loaded).identity
    return identity[0] if identity else None


def _loggable_path() -> str:
    """The request's path without a secret in it: a QR sign-in link's one-time token stays out of the
    logs (whoever reads them could otherwise sign in with a link not used yet)."""
    token = (request.view_args or {}).get("token")
    if not token:
        return request.path
    head, _, tail = request.path.rpartition(token)  # the token's own segment, the last one
    return f"{head}[redacted]{tail}"


def init_app(app: Flask) -> None:
    configure_logging(app.config.get("COMPETITION_LOG_LEVEL", "INFO"))

    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        started = g.pop("request_started", None)
        if not access_log.isEnabledFor(logging.INFO):  # the line would be dropped: do not build it
            return response
        user = _user_id(g.get("_login_user"))
        access_log.info(json.dumps({
            "method": request.method,
            "path": _loggable_path(),
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "user": user,
            "remote": request.remote_addr,
            "bytes": response.calculate_content_length(),
        }))
        return response
