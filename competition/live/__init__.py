"""The live layer: Socket.IO handlers and the one broadcaster that sends only after commit."""
from __future__ import annotations

from flask import Flask

from competition.extensions import socketio


def init_app(app: Flask) -> None:
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "gevent"),
        message_queue=app.config.get("COMPETITION_REDIS_URL"),
        # None: only same-origin pages (and non-browser clients) may connect.
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
    )
