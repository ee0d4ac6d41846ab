"""The private parts of python-socketio that competition/live/manager.py overrides or calls.

pyproject.toml pins python-socketio to the minor versions these were read from. When a new release
changes one of them, this test names what changed, before the live layer silently stops delivering
(a renamed hook is simply never called) or delivers twice. Check manager.py against the new release,
then raise the pin and update this test.
"""
from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest
import socketio
from engineio import packet as eio_packet
from socketio import packet
from socketio.base_manager import BaseManager
from socketio.pubsub_manager import PubSubManager

from competition.live.manager import LocalManager, QueueManager

PIN = "python-socketio (pyproject.toml)"


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def changed(what: str, found) -> str:
    return (f"python-socketio {version('python-socketio')} changed "
            f"{what} (found {found!r}), which competition/live/manager.py relies on: check manager.py "
            f"against this release before raising the pin of {PIN}")


@pytest.mark.parametrize("cls, method, expected", [
    # LocalManager.emit replaces Manager.emit and is called with these arguments by PubSubManager.
    (socketio.Manager, "emit", ["self", "event", "data", "namespace", "room", "skip_sid", "callback", "to",
                                "kwargs"]),
    (PubSubManager, "emit", ["self", "event", "data", "namespace", "room", "skip_sid", "callback", "to",
                             "kwargs"]),
    # QueueManager overrides these two hooks of RedisManager; a rename would leave them uncalled.
    (socketio.RedisManager, "_publish", ["self", "data"]),
    (socketio.RedisManager, "_redis_listen_with_retries", ["self"]),
    (socketio.RedisManager, "_get_redis_module", ["self"]),
    (socketio.RedisManager, "__init__", ["self", "url", "channel", "write_only", "logger", "json",
                                                 "redis_options"]),
    (BaseManager, "get_participants", ["self", "namespace", "room"]),
    (BaseManager, "basic_enter_room", ["self", "sid", "namespace", "room", "eio_sid"]),
    (socketio.Server, "_send_eio_packet", ["self", "eio_sid", "eio_pkt"]),
    (socketio.Server, "sleep", ["self", "seconds"]),
    (socketio.Server, "start_background_task", ["self", "target", "args", "kwargs"]),
])
def test_the_overridden_and_called_methods_keep_their_names_and_parameters(cls, method, expected):
    function = getattr(cls, method, None)
    assert function is not None, changed(f"{cls.__name__}.{method}", "no such method")
    assert parameters(function) == expected, changed(f"the parameters of {cls.__name__}.{method}",
                                                     parameters(function))


def test_the_redis_listener_reads_what_the_override_yields():
    """RedisManager._listen keeps messages of type "message" on the channel from
    _redis_listen_with_retries, which QueueManager replaces with a generator of redis-py messages."""
    source = inspect.getsource(socketio.RedisManager._listen)
    assert "self._redis_listen_with_retries()" in source, changed("RedisManager._listen", source)
    assert "message['type'] == 'message'" in source, changed("RedisManager._listen", source)


def test_pubsub_emit_delivers_here_first_then_publishes_once():
    """QueueManager relies on PubSubManager.emit handling the event in this process and then
    publishing it for the others (whose listeners skip this host's messages): nothing twice, and
    local delivery never waits for Redis."""
    calls: list[str] = []

    class Probe(PubSubManager):
        def _handle_emit(self, message):
            calls.append(f"local:{message['event']}")

        def _publish(self, data):
            calls.append(f"publish:{data['event']}:{data['host_id'] == self.host_id}")

    manager = Probe(write_only=True)
    manager.emit("board:update", {"seq": 1}, namespace="/live", room="contest:1:public")
    assert calls == ["local:board:update", "publish:board:update:True"], changed("PubSubManager.emit", calls)
    source = inspect.getsource(PubSubManager._thread)
    assert "host_id" in source, changed("PubSubManager._thread (skipping this host's own messages)", source)


def test_the_attributes_the_managers_use_are_there():
    manager = QueueManager("redis://127.0.0.1:1/0", channel="internals-test")
    for name in ("redis_url", "channel", "pubsub", "json", "host_id", "rooms", "write_only"):
        assert hasattr(manager, name), changed(f"the RedisManager attribute {name}", "missing")
    assert manager.redis_url == "redis://127.0.0.1:1/0" and manager.channel == "internals-test"
    assert [cls.__name__ for cls in QueueManager.__mro__[:4]] == [
        "QueueManager", "RedisManager", "PubSubManager", "LocalManager"], QueueManager.__mro__
    assert socketio.Server(client_manager=LocalManager()).packet_class is packet.Packet, changed(
        "Server.packet_class", "not socketio.packet.Packet")
    for name in ("EVENT",):
        assert hasattr(packet, name), changed(f"socketio.packet.{name}", "missing")
    assert hasattr(eio_packet, "MESSAGE") and hasattr(eio_packet, "Packet"), changed("engineio.packet", "missing")
