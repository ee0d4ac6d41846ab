"""Accounts, bearer tokens and the record of failed sign-ins."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.extensions import db
from competition.models.base import UTCDateTime, created_at, intpk, str_enum

if TYPE_CHECKING:
    from competition.models.enterprise import Enterprise


class Role(str, enum.Enum):
    """Roles of roles.md. A chief judge is a judge flagged `chief` in one contest."""

    ADMIN = "admin"
    ORGANIZER = "organizer"
    JUDGE = "judge"
    HR = "hr"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Browser sessions carry it (get_id); raising it ends every session signed in before (a password
    # reset, an account switched off), including when the account is switched on again.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[created_at]

    enterprise: Mapped[Enterprise | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie names, "id.epoch.key"
        """The session key (services.sessions.start) is set on the object that signs in."""
        key = getattr(self, "session_key", None)
        base = f"{self.id}.{self.session_epoch or 0}"
        return f"{base}.{key}" if key else base

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"


class ApiToken(db.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16), default="api")
    created_at: Mapped[created_at]
    # API tokens expire after the token lifetime *unused*: each use (noted at most every few minutes,
    # services.sessions.touch_token) moves expires_at on.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    label: Mapped[str | None] = mapped_column(String(100))

    user: Mapped[User] = relationship()


class UserSession(db.Model):
    """A browser session, kept on the server so that signing out ends it (api.md, Sessions and tokens):
    the cookie names the user and a random key whose SHA-256 is stored here; a cookie whose row is gone
    (signed out, password changed, account switched off) or older than the session lifetime is refused."""

    __tablename__ = "user_sessions"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]


class LoginFailure(db.Model):
    """One failed sign-in, counted per username and per address for throttling."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(160))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
