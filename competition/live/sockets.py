"""The `/live` namespace (live.md): connect with auth, snapshot or resume, resync on request."""
from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, emit, join_room

from competition.database import MAX_ID, get_by_id
from competition.extensions import db, socketio
from competition.inputs import find_problems
from competition.live.rooms import NAMESPACE, blind_rows, room
from competition.models import Contest, ContestState, User
from competition.services import access, boards, marking, standings

# What each connected client watches: sid -> (contest id, view, blind)
_clients: dict[str, tuple[int, str, bool]] = {}


def _user(auth: dict[str, Any]) -> User | None:
    token = auth.get("token")
    if isinstance(token, str) and token:
        from competition.services.accounts import user_for_token

        return user_for_token(token)
    return current_user if current_user.is_authenticated else None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_ID:  # beyond the database's integers: unknown
        return value
    return None


@socketio.on("connect", namespace=NAMESPACE)
def connect(auth: Any = None):
    auth = auth if isinstance(auth, dict) else {}
    refused = find_problems(auth)
    if refused:  # the same texts an HTTP request may not carry (competition.inputs)
        raise ConnectionRefusedError({"message": "auth holds characters that are not allowed", "errors": refused})
    if "event_id" in auth and "contest_id" not in auth:  # an event's screens (live.md, events.md)
        if auth.get("view", "public") != "public":
            raise ConnectionRefusedError("an event has a public view only")
        from competition.live.event_updates import connect_event

        connect_event(_as_int(auth.get("event_id")))
        db.session.rollback()
        return
    contest_id = _as_int(auth.get("contest_id"))
    view = auth.get("view", "public")
    if contest_id is None or view not in ("public", "jury", "judge"):
        raise ConnectionRefusedError("auth needs contest_id and view public, jury or judge")
    contest = get_by_id(Contest, contest_id)
    user = _user(auth)
    if contest is None or (contest.state == ContestState.DRAFT and view == "public"):
        raise ConnectionRefusedError("no such contest")
    if view == "judge":
        _connect_judge(contest, user)
        db.session.rollback()
        return
    blind = False
    if view == "jury":
        if not access.may_supervise(contest_id, user):
            raise ConnectionRefusedError("the jury view needs a chief judge or organiser")
        blind = access.numbers_only(contest, user)
    _clients[request.sid] = (contest_id, view, blind)
    join_room(room(contest_id, "jury-blind" if blind else view))
    _catch_up(contest, view, blind, _as_int(auth.get("since_seq")))
    db.session.rollback()


def _connect_judge(contest: Contest, user: User | None) -> None:
    """A judge's tablet: the `judges` room of the contest (module locks, contest state), no board rows.

    `judge:hello` tells the tablet the contest's state and module locks as they are now, so that a
    tablet that was offline catches up at once on reconnect."""
    if access.seat_of(contest.id, user) is None:
        raise ConnectionRefusedError("the judge view needs a judge of this contest")
    join_room(room(contest.id, "judges"))
    emit("judge:hello", {"contest_id": contest.id, "state": contest.state.value,
                         "locks": marking.locks_of(contest)})


@socketio.on("board:resync", namespace=NAMESPACE)
def resync(data: Any = None):
    watched = _clients.get(request.sid)
    if watched is None:
        return
    contest_id, view, blind = watched
    contest = db.session.get(Contest, contest_id)
    if contest is not None:
        since = _as_int(data.get("since_seq")) if isinstance(data, dict) else None
        _catch_up(contest, view, blind, since)
    db.session.rollback()


@socketio.on("disconnect", namespace=NAMESPACE)
def disconnect(*_args):
    _clients.pop(request.sid, None)


def _catch_up(contest: Contest, view: str, blind: bool, since_seq: int | None) -> None:
    """The missed updates when they are all still held, otherwise a snapshot."""
    if since_seq is not None:
        missed = boards.events_since(contest.id, view, since_seq)
        if missed is not None:
            for update in missed:
                emit("board:update", {**update, "rows": blind_rows(update["rows"])} if blind else update)
            return
    emit("board:snapshot", boards.snapshot(contest, view, standings.options_for(contest, view, blind=blind)))
