"""The live layer: Socket.IO handlers and the one broadcaster that sends only after commit."""
from __future__ import annotations

from flask import Flask

from competition.extensions import socketio


def init_app(app: Flask) -> None:
    from competition.live import broadcaster, sockets  # noqa: F401  (registers the /live handlers)

    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "gevent"),
        message_queue=app.config.get("COMPETITION_REDIS_URL"),
        channel=app.config.get("COMPETITION_REDIS_CHANNEL", "competition"),
        # None: only same-origin pages (and non-browser clients) may connect.
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
    )
    broadcaster.init_app(app)
