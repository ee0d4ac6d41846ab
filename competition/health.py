"""/healthz (process alive) and /readyz (database and, when configured, Redis reachable and this
process's message queue working: subscribed and publishing, competition.live.manager)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from competition.extensions import db, socketio

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def _check_database() -> str:
    """On PostgreSQL a fresh connection with a 3 s connect timeout, outside the pool: a hung database
    (or a pool it holds up) answers "not ready" within 5 s (operations.md), not after every timeout."""
    if db.engine.dialect.name == "postgresql":
        return _check_fresh_connection()
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return "ok"
    except Exception as exc:  # any failure means "not ready"; say which
        db.session.rollback()
        return f"error: {type(exc).__name__}"


_PROBES: dict = {}


def _check_fresh_connection() -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    url = db.engine.url
    probe = _PROBES.get(url)
    if probe is None:
        probe = _PROBES[url] = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any failure means "not ready"; say which
        return f"error: {type(exc).__name__}"


def _check_redis() -> str | None:
    url = current_app.config.get("COMPETITION_REDIS_URL")
    if not url:
        return None
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    finally:
        client.close()
    # Redis answers, but this process may not have resubscribed yet (or cannot publish).
    fault = getattr(socketio.server.manager, "fault", None) if socketio.server else None
    return f"error: {fault}" if fault else "ok"


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database()}
    redis_state = _check_redis()
    if redis_state is not None:
        checks["redis"] = redis_state
    ready = all(state == "ok" for state in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
