"""Sessions and tokens that end when asked (api.md, Conventions: sessions and tokens).

- A browser session is a row (models.UserSession); the cookie carries "user id.epoch.key". Signing out
  deletes the row, so a copy of the cookie made before is refused afterwards.
- API tokens can be listed (`{"id","created_at","last_used_at","label"}`) and revoked: the one a
  request is made with, or any of the caller's own by id (admin: anyone's; another's id is 404).
- A password change or a switch-off ends every session and token of the account (`end_everything`).
- A token expires after the token lifetime (30 days) unused: each use moves its expiry on, noted at
  most every TOUCH_EVERY so that reads do not turn into writes.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app, has_request_context, request
from sqlalchemy import CursorResult, delete, select, update

from competition import clock
from competition.database import READ_ONLY_METHODS, get_by_id, writing
from competition.extensions import db
from competition.models import ApiToken, Role, User, UserSession
from competition.services import audit

API = "api"
TOUCH_EVERY = timedelta(minutes=10)


class TokenNotFound(Exception):
    """No live token of the caller's with this id (404: ids of others' tokens are not confirmed)."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- browser sessions ---------------------------------------------------------------------------

def start(user: User) -> str:
    """A new session for `user`; returns the key its cookie carries (only its digest is stored)."""
    key = secrets.token_urlsafe(24)
    db.session.add(UserSession(user_id=user.id, key_hash=_digest(key)))
    return key


def session_user(user_id: int, epoch: int, key: str) -> User | None:
    """The active user of a live session, or None (signed out, ended, expired, account off)."""
    oldest = clock.now() - current_app.config["PERMANENT_SESSION_LIFETIME"]
    user = db.session.scalar(
        select(User).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == _digest(key), User.id == user_id, UserSession.created_at > oldest))
    return user if user is not None and user.active and (user.session_epoch or 0) == epoch else None


def end(key: str) -> None:
    """Sign out: the session's row goes, and with it every copy of its cookie."""
    db.session.execute(delete(UserSession).where(UserSession.key_hash == _digest(key)))


def end_everything(user: User) -> int:
    """Every session and token of `user` ends (a password change, a switch-off); returns how many
    tokens were revoked."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    revoked = cast("CursorResult[Any]", db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)))
    return revoked.rowcount or 0


# --- API tokens ---------------------------------------------------------------------------------

def live_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.purpose == API, ApiToken.expires_at > clock.now()).order_by(ApiToken.id)))


def token_dict(token: ApiToken) -> dict[str, Any]:
    return {"id": token.id, "created_at": token.created_at, "last_used_at": token.used_at, "label": token.label}


def revoke_current(token: str, actor: User) -> None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.purpose == API))
    if row is not None:
        _revoke(row, actor)


def revoke(token_id: int, actor: User) -> None:
    """DELETE /auth/tokens/{id}: the caller's own token; an admin may revoke anyone's."""
    row = get_by_id(ApiToken, token_id)
    if row is None or row.purpose != API or (row.user_id != actor.id and actor.role != Role.ADMIN):
        raise TokenNotFound()
    _revoke(row, actor)


def _revoke(row: ApiToken, actor: User) -> None:
    audit.record("token.revoke", f"user:{row.user_id}", before={"token_id": row.id, "label": row.label},
                 actor=actor)
    db.session.delete(row)
    db.session.flush()


def touch_token(token_id: int, used_at: datetime | None) -> None:
    """Note a use of a token (at most every TOUCH_EVERY): its expiry moves to a lifetime from now.
    In a short transaction of its own, so that a read request stays a read."""
    now = clock.now()
    if used_at is not None and now - used_at < TOUCH_EVERY:
        return
    lifetime = current_app.config["COMPETITION_TOKEN_LIFETIME"]
    statement = update(ApiToken).where(ApiToken.id == token_id).values(used_at=now, expires_at=now + lifetime)
    if has_request_context() and request.method not in READ_ONLY_METHODS:
        db.session.execute(statement)  # a write request: in its own transaction (on SQLite it holds the writer)
        return
    with writing() as connection:
        connection.execute(statement)
