"""The Socket.IO client manager of a serving process, made to ride out a Redis outage (operations.md,
"When Redis is down"; live.md, Guarantees).

`QueueManager` is python-socketio's RedisManager with three changes:

- Local delivery never depends on Redis. PubSubManager.emit (python-socketio >= 5.10) hands every
  event to this process's own clients first and only then publishes it for the other processes, whose
  listeners skip messages of their own host; so nothing is delivered twice. What this class changes is
  the publish: one client with short timeouts and a single retry (a pooled connection that went stale
  when Redis restarted); once a publish has failed, publishing is skipped until a probe (`probe()`,
  called by the hand-over every couple of seconds) finds Redis back, or at most once per
  `retry_seconds`; so neither a dead nor a hung Redis holds up the broadcaster or a request.
- The listener has its own connection (the publisher's timeouts would cut an idle subscription), pings
  an idle subscription to notice a Redis that stopped answering, and resubscribes after at most
  `max_backoff` seconds (RedisManager backs off to 60 s).
- It knows whether the queue is working (`fault`), remembers the last `board:update` and
  `contest:state` of each room that it could not publish, and on recovery publishes those again.

The database hand-over that uses it while the queue is down is competition.live.handover.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

import socketio
from engineio import packet as eio_packet
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio import packet

log = logging.getLogger("competition.live")

# Events whose latest value per room is complete and idempotent for clients (board:update by seq,
# contest:state as a whole), so that publishing the last one again after an outage is safe.
REPLAYED_EVENTS = frozenset({"board:update", "contest:state"})


class LocalManager(socketio.Manager):
    """This process's delivery of a room event: in chunks, yielding between them.

    Every send wakes one client's writer; a room of 2,000 woken at once would put a judge's request,
    at each of its I/O waits, behind all 2,000 writes (benchmark 2). Sending `chunk` at a time and
    yielding lets requests interleave with the fan-out. The packet is still encoded once per event.
    Used alone without a message queue; with one, QueueManager publishes and then delivers through it.
    """

    chunk = 100

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        room = to or room
        if callback or namespace not in self.rooms:
            return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback,
                                **kwargs)
        data = list(data) if isinstance(data, tuple) else [data] if data is not None else []
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        encoded = self.server.packet_class(packet.EVENT, namespace=namespace, data=[event] + data).encode()
        eio_packets = [eio_packet.Packet(eio_packet.MESSAGE, p)
                       for p in (encoded if isinstance(encoded, list) else [encoded])]
        # A snapshot (get_participants copies the room): clients may leave while this greenlet yields.
        recipients = [eio_sid for sid, eio_sid in self.get_participants(namespace, room) if sid not in skip]
        for n, eio_sid in enumerate(recipients, start=1):
            for p in eio_packets:
                self.server._send_eio_packet(eio_sid, p)
            if n % self.chunk == 0 and n < len(recipients):
                self.server.sleep(0)


class QueueManager(socketio.RedisManager, LocalManager):  # MRO: PubSubManager, then LocalManager's emit
    name = "competition-redis"

    def __init__(self, url: str, channel: str, *, io_timeout: float = 2.0, retry_seconds: float = 5.0,
                 min_backoff: float = 0.5, max_backoff: float = 5.0, ping_seconds: float = 5.0, logger=None):
        super().__init__(url, channel=channel, write_only=False, logger=logger)
        self.io_timeout = io_timeout
        self.retry_seconds = retry_seconds
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.ping_seconds = ping_seconds
        self.publisher = None
        self.publish_error: str | None = None
        self.listen_error: str | None = None
        self.recovered = threading.Event()  # set when the queue works again after a fault
        self._last_attempt = 0.0
        self._unsent: dict[tuple[str, Any, str], dict] = {}
        self._state = threading.Lock()

    # -- state ---------------------------------------------------------------------------------------

    @property
    def fault(self) -> str | None:
        """Why the queue does not work for this process now, or None when it does."""
        return self.publish_error or self.listen_error

    def _set(self, *, publish_error: Any = False, listen_error: Any = False) -> None:
        with self._state:
            was = self.fault
            if publish_error is not False:
                self.publish_error = publish_error
            if listen_error is not False:
                self.listen_error = listen_error
            now = self.fault
        if now and not was:
            log.error("message queue unavailable (%s): this process keeps updating its own clients; "
                      "the other processes' updates are handed over from the database until it is back", now)
        elif was and not now:
            log.warning("message queue available again (%s before)", was)
            self.recovered.set()

    # -- publishing ----------------------------------------------------------------------------------

    def _publisher(self):
        if self.publisher is None:
            # One retry on a broken connection (a pooled one that died with a restarted Redis), none
            # on a timeout (a hung Redis would cost io_timeout again).
            module = self._get_redis_module()
            self.publisher = module.Redis.from_url(
                self.redis_url, socket_connect_timeout=self.io_timeout, socket_timeout=self.io_timeout,
                retry=Retry(NoBackoff(), 1, supported_errors=(module.exceptions.ConnectionError,)))
        return self.publisher

    def _publish(self, data: dict) -> int | None:
        """Publish for the other processes; this process's clients already have the event."""
        if self.publish_error and time.monotonic() - self._last_attempt < self.retry_seconds:
            self._remember(data)
            return None
        self._last_attempt = time.monotonic()
        try:
            receivers = self._publisher().publish(self.channel, self.json.dumps(data))
        except Exception as exc:  # any failure of the queue: keep serving this process's clients
            self._remember(data)
            self._set(publish_error=f"publish: {type(exc).__name__}")
            return None
        if self.publish_error:
            self._set(publish_error=None)
        return receivers

    def _remember(self, data: dict) -> None:
        if data.get("method") == "emit" and data.get("event") in REPLAYED_EVENTS:
            self._unsent[(data.get("namespace"), _hashable(data.get("room")), data["event"])] = data

    def probe(self) -> None:
        """While publishing fails and nothing is emitted: ask Redis whether it is back."""
        if not self.publish_error:
            return
        self._last_attempt = time.monotonic()
        try:
            self._publisher().ping()
        except Exception:
            return
        self._set(publish_error=None)

    def republish(self) -> int:
        """After an outage: publish again the last board update and state of each room that the
        other processes did not get. Returns how many were published."""
        unsent, self._unsent = self._unsent, {}
        published = 0
        for key, data in unsent.items():
            try:
                self._publisher().publish(self.channel, self.json.dumps(data))
                published += 1
            except Exception as exc:
                self._unsent.setdefault(key, data)
                self._set(publish_error=f"publish: {type(exc).__name__}")
        return published

    # -- listening -----------------------------------------------------------------------------------

    def _redis_listen_with_retries(self):
        backoff = self.min_backoff
        while True:
            client = pubsub = None
            try:
                # The socket timeout bounds the handshake with a hung Redis; idle waiting is done by
                # get_message(timeout) below. No retries inside redis-py: we see every failure.
                client = self._get_redis_module().Redis.from_url(
                    self.redis_url, socket_connect_timeout=self.io_timeout, socket_timeout=self.io_timeout,
                    socket_keepalive=True, retry=Retry(NoBackoff(), 0))
                pubsub = self.pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                heard, ping_sent = time.monotonic(), None
                while True:
                    message = pubsub.get_message(timeout=min(self.io_timeout, self.ping_seconds))
                    now = time.monotonic()
                    if message is None:
                        if ping_sent is not None and now - ping_sent > self.io_timeout:
                            raise TimeoutError("redis did not answer a ping")
                        if ping_sent is None and now - heard > self.ping_seconds:
                            pubsub.ping()
                            ping_sent = now
                        continue
                    heard, ping_sent = now, None
                    if message["type"] == "subscribe":
                        backoff = self.min_backoff
                        self._set(listen_error=None)
                    elif message["type"] == "message":
                        yield message
            except Exception as exc:
                self._set(listen_error=f"subscribe: {type(exc).__name__}")
            finally:
                for closable in (pubsub, client):
                    try:
                        if closable is not None:
                            closable.close()
                    except Exception:  # noqa: BLE001 - the connection is gone anyway
                        pass
            self.server.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)


def _hashable(room: Any) -> Any:
    return tuple(room) if isinstance(room, list) else room
