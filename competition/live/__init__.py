"""The live layer: Socket.IO handlers and the one broadcaster that sends only after commit."""
from __future__ import annotations

from flask import Flask

from competition.extensions import socketio


def init_app(app: Flask) -> None:
    from competition.live import broadcaster, sockets  # noqa: F401  (registers the /live handlers)
    from competition.live.handover import Handover
    from competition.live.manager import LocalManager, QueueManager

    url = app.config.get("COMPETITION_REDIS_URL")
    # With Redis, our RedisManager (competition.live.manager) carries events between the processes and
    # rides out an outage; without, a local manager. Always passed: the extension keeps options
    # between init_app calls.
    queue = QueueManager(url, channel=app.config.get("COMPETITION_REDIS_CHANNEL", "competition")) if url else None
    manager = queue or LocalManager()  # both send a room's events in chunks (manager.LocalManager)
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "gevent"),
        client_manager=manager,
        # None: only same-origin pages (and non-browser clients) may connect.
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
    )
    broadcaster.init_app(app)
    from competition.live import event_updates

    event_updates.init_app(app)
    if app.config.get("COMPETITION_LIVE_SWEEP") and not app.config.get("COMPETITION_LIVE_SYNC"):
        from competition.live.heap import HeapTender  # a serving process: keep GC pauses off judges' marks

        tender = HeapTender()
        app.extensions[broadcaster.HEAP] = tender
        socketio.start_background_task(tender.run, socketio.sleep)
    if queue is not None:
        handover = Handover(app, queue, float(app.config.get("COMPETITION_LIVE_HANDOVER_SECONDS", 2.0)))
        app.extensions["competition.handover"] = handover
        if not app.config.get("COMPETITION_LIVE_SYNC"):
            handover.start()
