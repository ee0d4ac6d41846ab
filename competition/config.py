"""Configuration from the environment (operations.md, "Command line").

`COMPETITION_DATABASE_URL` (default: SQLite under instance/), `COMPETITION_REDIS_URL` (optional;
enables the cross-process Socket.IO message queue), `COMPETITION_SECRET_KEY` (generated and kept
under instance/ when unset). Anything else is a tuning knob with a sensible default.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ONE_MIB = 1024 * 1024


def _secret_key(instance_path: Path) -> str:
    key = os.environ.get("COMPETITION_SECRET_KEY")
    if key:
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created with owner-only permissions; a second process racing here keeps the first key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def from_environment(instance_path: Path) -> dict:
    """Build the Flask config mapping for this process."""
    database_url = os.environ.get("COMPETITION_DATABASE_URL") or (
        f"sqlite:///{instance_path / 'competition.sqlite3'}"
    )
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "COMPETITION_REDIS_URL": os.environ.get("COMPETITION_REDIS_URL") or None,
        "COMPETITION_REDIS_CHANNEL": os.environ.get("COMPETITION_REDIS_CHANNEL", "competition"),
        # How many reverse proxies (nginx) stand in front: their X-Forwarded-* headers are trusted.
        "COMPETITION_PROXY_COUNT": int(os.environ.get("COMPETITION_PROXY_COUNT", "0")),
        # Request bodies: 1 MiB, imports 10 MiB (api.md, Conventions).
        "MAX_CONTENT_LENGTH": ONE_MIB,
        "COMPETITION_IMPORT_MAX_BYTES": 10 * ONE_MIB,
        # Imports are parsed in worker processes (services/parse_pool.py): a parse still running after
        # this many seconds is 422 and its process is killed. In-process parsing is for debugging only.
        "COMPETITION_PARSE_SECONDS": float(os.environ.get("COMPETITION_PARSE_SECONDS", "30")),
        "COMPETITION_PARSE_IN_PROCESS": False,
        # Sessions and cookies (roles.md).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("COMPETITION_SECURE_COOKIES") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": os.environ.get("COMPETITION_SECURE_COOKIES") == "1",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "COMPETITION_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("COMPETITION_TOKEN_DAYS", "30"))),
        # Login throttling: failures allowed inside the window, per user and per address.
        "COMPETITION_LOGIN_WINDOW_SECONDS": 900,
        "COMPETITION_LOGIN_MAX_FAILURES_PER_USER": 5,
        "COMPETITION_LOGIN_MAX_FAILURES_PER_ADDRESS": 100,  # api.md: a venue shares one address
        # CSRF: checked by our own hook (bearer-token calls are exempt), see competition.security.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        # Languages (Flask-Babel): Simplified Chinese first, English selectable.
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "COMPETITION_LANGUAGES": ("zh_CN", "en"),
        # flask-smorest / OpenAPI.
        "API_TITLE": "competition",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {"description": "Skill contests scored live and turned into direct grade promotions."},
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                }
            },
            "security": [{"bearerAuth": []}, {}],
        },
    }
