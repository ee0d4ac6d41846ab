"""competition: vocational skill contests scored live and turned into direct grade promotions.

The app factory. Layout of the package (docs/architecture.md):
  domain/    pure core: scoring, ranking, promotion rules, grade schemes, certificate numbers
  models/    the database layer (SQLAlchemy 2 typed models), one module per aggregate
  services/  transactions that use the core (they flush; the caller commits once)
  api/       the JSON API, one blueprint per resource (flask-smorest)
  web/       the pages
  live/      Socket.IO handlers and the after-commit broadcaster
  errors.py  the one error type (ServiceError) and the one handler: api.md JSON or an HTML page
  clock.py   the one clock
  cli.py     the `competition` command
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from competition.paths import MIGRATIONS, STATIC, TEMPLATES


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    instance_path = os.environ.get("COMPETITION_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
    )
    from competition import config

    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    proxies = int(app.config.get("COMPETITION_PROXY_COUNT") or 0)
    if proxies:  # behind nginx: client address, scheme and host come from X-Forwarded-*
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # werkzeug's documented way
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    from competition.extensions import JSONProvider

    app.json = JSONProvider(app)  # too deep a body, or too long a number, is a 400 (not a 500)
    app.json.ensure_ascii = False  # Chinese names stay readable in API answers
    app.json.sort_keys = False  # fields in schema order

    from competition import database  # engine events: SQLite pragmas, BEGIN IMMEDIATE

    if database.is_postgresql(app.config["SQLALCHEMY_DATABASE_URI"]):  # decided after the overrides
        # Connections die with a server restart: test each on checkout (SQLite files do not need it).
        # A hung database (operations.md): bounded pool wait (2 s) and connect (2 s); statement and lock
        # timeouts are set on each connection and no round trip waits longer than 5 s (database.py), so
        # the worst chain (pool wait, a ping that hangs, a reconnect) answers 503 within 10 s.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True, "pool_timeout": 2,
                                                            "connect_args": {"connect_timeout": 2}})
        database.green_psycopg()  # a no-op unless gevent has patched the process
    from competition import api, health, i18n, live, logs, models, security, web  # noqa: F401
    from competition.extensions import db, migrate
    from competition.services import audit_chain

    logs.init_app(app)
    db.init_app(app)
    app.teardown_appcontext(database.end_session_quietly)  # runs before Flask-SQLAlchemy's own
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    i18n.init_app(app)
    security.init_app(app)
    api.init_app(app)
    web.init_app(app)
    live.init_app(app)
    audit_chain.init_app(app)
    app.register_blueprint(health.bp)
    return app
