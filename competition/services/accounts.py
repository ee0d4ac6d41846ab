"""Users, passwords, bearer tokens and sign-in throttling (roles.md, api.md Conventions)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, TypeGuard, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import CursorResult, bindparam, delete, func, or_, select, update

from competition import clock
from competition.database import get_by_id
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import ApiToken, Contest, ContestJudge, ContestState, Enterprise, Role, User
from competition.services import audit, sessions, throttle

_hasher = PasswordHasher()  # Argon2id, the library's current recommended parameters
# Verifying against this keeps an unknown username as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password")


def refused(message: str, field: str | None = None, status: int = 422) -> ServiceError:
    """A request about accounts that cannot be carried out; `field` names what is wrong."""
    return ServiceError(status, message, errors={field: [message]} if field else None)


def bad_credentials() -> ServiceError:
    return ServiceError(401, "Wrong username or password.", reason="bad_credentials")


def throttled(retry_after: int) -> ServiceError:
    """Too many failed sign-ins: 429 with Retry-After (seconds)."""
    return ServiceError(429, "Too many failed sign-ins; try again later.", reason="throttled",
                        headers={"Retry-After": str(retry_after)})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> TypeGuard[User]:
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def create_user(*, username: str, password: str, role: Role, display_name: str = "",
                enterprise_id: int | None = None) -> User:
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise refused(f"username {username!r} is taken", "username", status=409)
    if role is Role.HR and enterprise_id is None:
        raise refused("an hr user needs an enterprise_id", "enterprise_id")
    if enterprise_id is not None and db.session.get(Enterprise, enterprise_id) is None:
        raise refused(f"enterprise {enterprise_id} does not exist", "enterprise_id")
    if len(password) < 8:
        raise refused("passwords have at least 8 characters", "password")
    user = User(username=username, password_hash=hash_password(password), role=role,
                display_name=display_name or username, enterprise_id=enterprise_id)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", f"user:{user.id}",
                 after={"username": username, "role": role, "enterprise_id": enterprise_id})
    return user


# --- managing accounts (admin) ---------------------------------------------------------------

EDITABLE = ("display_name", "enterprise_id", "active", "password")


def list_users(*, role: Role | None = None, q: str | None = None, page: int = 1,
               page_size: int = 50) -> tuple[list[User], int]:
    """Accounts ordered by username, optionally of one `role` and matching `q` (part of the username or
    display name, case-insensitive); one page of them and the total count."""
    query = select(User)
    if role is not None:
        query = query.where(User.role == role)
    q = (q or "").strip()
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(or_(User.username.ilike(pattern, escape="\\"),
                                User.display_name.ilike(pattern, escape="\\")))
    total = db.session.scalars(select(func.count()).select_from(query.subquery())).one()
    found = db.session.scalars(query.order_by(User.username, User.id).offset((page - 1) * page_size)
                               .limit(page_size))
    return list(found), total


def get_user(user_id: int) -> User:
    # an id beyond the database's integer range is simply unknown (not an overflow, not a 500)
    user = get_by_id(User, user_id)
    if user is None:
        raise refused("No such user.", status=404)
    return user


def revoke_tokens(user: User) -> int:
    """Delete every token of `user`: API tokens and one-time QR sign-in links alike."""
    deleted = cast("CursorResult[Any]", db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)))
    return deleted.rowcount or 0


def _another_active_admin(user: User) -> bool:
    """Whether an active admin other than `user` remains. The active admins' rows are locked (PostgreSQL;
    SQLite's write transaction holds the database), so two admins cannot switch each other off at once."""
    admins = db.session.scalars(select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
                                .with_for_update())
    return any(admin_id != user.id for admin_id in admins)


def update_user(user: User, changes: dict[str, Any], *, actor: User | None = None) -> User:
    """Change an account (admin): any of `display_name`, `enterprise_id`, `active`, `password`.

    Switching an account off or changing its password deletes its tokens at once and ends its browser
    sessions with their next request, for good (the session epoch moves on: switching the account on
    again does not revive them). An admin may not switch off their own account, nor the last active
    admin. One audit entry, without the password.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise refused(f"unknown field {sorted(unknown)[0]!r}", sorted(unknown)[0])
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if "display_name" in changes:
        name = (changes["display_name"] or "").strip()
        if not name:
            raise refused("the display name must not be blank", "display_name")
        if name != user.display_name:
            before["display_name"], after["display_name"] = user.display_name, name
    if "enterprise_id" in changes:
        enterprise_id = changes["enterprise_id"]
        if enterprise_id is None and user.role is Role.HR:
            raise refused("an hr user needs an enterprise_id", "enterprise_id")
        if enterprise_id is not None and get_by_id(Enterprise, enterprise_id) is None:
            raise refused(f"enterprise {enterprise_id} does not exist", "enterprise_id")
        if enterprise_id != user.enterprise_id:
            before["enterprise_id"], after["enterprise_id"] = user.enterprise_id, enterprise_id
    if "active" in changes and bool(changes["active"]) != user.active:
        if not changes["active"]:
            if actor is not None and actor.id == user.id:
                raise refused("you cannot switch off your own account", "active", status=409)
            if user.role is Role.ADMIN and not _another_active_admin(user):
                raise refused("the service needs at least one active admin", "active", status=409)
        before["active"], after["active"] = user.active, bool(changes["active"])
    password = changes.get("password")
    if password is not None and len(password) < 8:
        raise refused("passwords have at least 8 characters", "password")

    for field in ("display_name", "enterprise_id", "active"):
        if field in after:
            setattr(user, field, after[field])
    if "enterprise_id" in after:
        seats = _move_seats(user)
        if seats:
            after["seats_moved"] = seats
    if password is not None:
        user.password_hash = hash_password(password)
        # a reset lets the user sign in at once, however often the old password was tried
        throttle.clear(user.username)
        after["password_changed"] = True
    if password is not None or after.get("active") is False:
        revoked = sessions.end_everything(user)  # every token and browser session of the account
        if revoked:
            after["tokens_revoked"] = revoked
        user.session_epoch = (user.session_epoch or 0) + 1
    if after:
        db.session.flush()
        audit.record("user.update", f"user:{user.id}", before=before, after=after, actor=actor)
    return user


def _move_seats(user: User) -> int:
    """A judge who changes employer is conflicted (回避, roles.md) with the new employer's competitors,
    no longer with the old one's: the judge's seats in contests not yet final follow the account (a
    final contest's seats are its record). Returns how many seats moved."""
    moved = cast("CursorResult[Any]", db.session.execute(
        update(ContestJudge)
        .where(ContestJudge.user_id == user.id,
               ContestJudge.contest_id.in_(select(Contest.id).where(Contest.state != ContestState.FINAL)))
        .values(enterprise_id=user.enterprise_id)
        .execution_options(synchronize_session="fetch")))
    return moved.rowcount


# --- sign-in throttling ---------------------------------------------------------------------

def judge_accounts() -> list[User]:
    """Active judge accounts, by username: the ones an organiser may assign to a contest."""
    return list(db.session.scalars(select(User).where(User.role == Role.JUDGE, User.active.is_(True))
                                   .order_by(User.username)))


def authenticate(username: str, password: str, address: str) -> User:
    """Check a username and password, slowing down repeated failures (429 with Retry-After; the
    rules are services.throttle's). Failures are committed at once: they must outlive the request."""
    now = clock.now()
    wait = throttle.retry_after(username, address, now)
    if wait is not None:
        raise throttled(wait)
    user: User | None = db.session.scalar(select(User).where(User.username == username))
    if not check_password(user, password) or not user.active:
        throttle.note_failure(username, address, now)
        db.session.commit()
        raise bad_credentials()
    throttle.clear(username)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# --- bearer tokens ----------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, *, purpose: str = "api", lifetime: timedelta | None = None,
                label: str | None = None) -> str:
    """Create a token for `user` and return it; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    lifetime = lifetime or current_app.config["COMPETITION_TOKEN_LIFETIME"]
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), purpose=purpose, label=label,
                            expires_at=clock.now() + lifetime))
    return token


# Every API request runs this: built once, not per call (building a statement costs more than running it).
_TOKEN_USER = (select(User, ApiToken.expires_at, ApiToken.id, ApiToken.used_at)
               .join(ApiToken, ApiToken.user_id == User.id)
               .where(ApiToken.token_hash == bindparam("digest"), ApiToken.purpose == bindparam("purpose")))


def user_for_token(token: str, *, purpose: str = "api") -> User | None:
    found = db.session.execute(_TOKEN_USER, {"digest": _digest(token), "purpose": purpose}).first()
    if found is None:
        return None
    user, expires_at, token_id, used_at = found
    if not (expires_at > clock.now() and user.active):
        return None
    sessions.touch_token(token_id, used_at)  # unused for the token lifetime, it expires
    return user


def _one_time_row(token: str, purpose: str, *, for_update: bool = False) -> ApiToken | None:
    query = select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.purpose == purpose)
    return db.session.scalar(query.with_for_update() if for_update else query)


def _still_valid(row: ApiToken) -> bool:
    return row.expires_at > clock.now() and row.user.active


def one_time_token_user(token: str, *, purpose: str) -> User | None:
    """Whose one-time token this is, if it is still valid; the token stays unused."""
    row = _one_time_row(token, purpose)
    return row.user if row is not None and _still_valid(row) else None


def redeem_one_time_token(token: str, *, purpose: str) -> User | None:
    """Use a one-time token (a judge's QR sign-in link): valid once, then gone."""
    row = _one_time_row(token, purpose, for_update=True)
    if row is None:
        return None
    user, valid = row.user, _still_valid(row)
    db.session.delete(row)
    return user if valid else None
