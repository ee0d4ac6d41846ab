"""Sign-in throttling (api.md, Conventions): repeated failures are slowed down, a venue is not locked.

- Per account: after FREE failures each further attempt waits; the wait starts at FIRST_DELAY and
  doubles with every further failure, up to MAX_DELAY (15 minutes), counted from the last failure.
- Per address: only after ADDRESS_LIMIT failures within ADDRESS_WINDOW (a venue's phones and tablets
  share one address: 30 devices mistyping once each must still sign in).
- Only failures count: a success clears the account's failures; an attempt refused with 429 is not
  checked and not counted. An admin or organiser clears an account's delay (`unlock`).
Failures are rows of models.LoginFailure keyed "user:<name>" or "addr:<address>"; an account's
failures older than ACCOUNT_MEMORY are forgotten.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, delete, func, select

from competition.extensions import db
from competition.models import LoginFailure, User

FREE = 5
FIRST_DELAY = 1.0  # seconds, after the FREE-th failure
MAX_DELAY = 15 * 60
ACCOUNT_MEMORY = timedelta(days=1)


def account_key(username: str) -> str:
    return f"user:{username.lower()[:150]}"


def address_key(address: str) -> str:
    return f"addr:{address[:150]}"


def account_delay(failures: int) -> float:
    """Seconds to wait after `failures` failures in a row (0 while within the free ones)."""
    if failures < FREE:
        return 0.0
    delay: float = FIRST_DELAY * 2 ** (failures - FREE)  # int ** int is typed Any (a negative power is a float)
    return min(MAX_DELAY, delay)


def _settings() -> tuple[int, timedelta]:
    config = current_app.config
    return (int(config.get("COMPETITION_LOGIN_MAX_FAILURES_PER_ADDRESS", 100)),
            timedelta(seconds=config.get("COMPETITION_LOGIN_WINDOW_SECONDS", 900)))


def retry_after(username: str, address: str, now: datetime) -> int | None:
    """Seconds until this account may try again from this address, or None when it may now."""
    waits = []
    count, last = db.session.execute(
        select(func.count(), func.max(LoginFailure.at))
        .where(LoginFailure.key == account_key(username), LoginFailure.at > now - ACCOUNT_MEMORY)).one()
    delay = account_delay(count)
    if delay and last is not None and last + timedelta(seconds=delay) > now:
        waits.append((last + timedelta(seconds=delay) - now).total_seconds())
    limit, window = _settings()
    count, oldest = db.session.execute(
        select(func.count(), func.min(LoginFailure.at))
        .where(LoginFailure.key == address_key(address), LoginFailure.at > now - window)).one()
    if count >= limit and oldest is not None:
        waits.append((oldest + window - now).total_seconds())
    return max(1, math.ceil(max(waits))) if waits else None


def note_failure(username: str, address: str, now: datetime) -> None:
    """Record a failure (the caller commits at once: it must outlive the request)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == account_key(username),
                                                  LoginFailure.at <= now - ACCOUNT_MEMORY))
    db.session.add_all([LoginFailure(key=account_key(username), at=now),
                        LoginFailure(key=address_key(address), at=now)])


def clear(username: str) -> int:
    """An account's failures are forgotten (a success, a password reset, an unlock)."""
    cleared = cast("CursorResult[Any]",
                   db.session.execute(delete(LoginFailure).where(LoginFailure.key == account_key(username))))
    return cleared.rowcount or 0


def unlock(user: User, actor: User) -> int:
    """POST /users/{id}/unlock (admin, organizer): the account may sign in again at once."""
    from competition.services import audit

    cleared = clear(user.username)
    audit.record("user.unlock", f"user:{user.id}", after={"failures_cleared": cleared}, actor=actor)
    return cleared
