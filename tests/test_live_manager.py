"""The local manager sends a room's event in chunks, yielding between them, each client once."""
from __future__ import annotations

import socketio

from competition.live.manager import LocalManager


class Server:
    packet_class = socketio.packet.Packet

    def __init__(self):
        self.sent: list[tuple[str, object]] = []
        self.sleeps: list[int] = []

    def _send_eio_packet(self, eio_sid, pkt):
        self.sent.append((eio_sid, pkt))

    def sleep(self, seconds=0):
        self.sleeps.append(len(self.sent))


def test_a_room_event_goes_to_every_member_once_in_chunks():
    manager = LocalManager()
    manager.set_server(Server())
    manager.initialize()
    members = []
    for n in range(250):
        manager.basic_enter_room(f"sid{n}", "/live", "contest:1:public", eio_sid=f"eio{n}")
        members.append(f"eio{n}")
    manager.basic_enter_room("sid-other", "/live", "contest:1:jury", eio_sid="eio-other")

    manager.emit("board:update", {"seq": 7}, "/live", room="contest:1:public")

    server = manager.server
    assert sorted(eio_sid for eio_sid, _ in server.sent) == sorted(members)
    assert server.sleeps == [100, 200]  # a yield after each full chunk, none after the last
    payloads = {pkt.encode() for _, pkt in server.sent}
    assert len(payloads) == 1 and '"board:update"' in payloads.pop() and len({id(p) for _, p in server.sent}) == 1
