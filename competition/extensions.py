"""The Flask extensions, created once at module level and bound in the app factory (init_app)."""
from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that Alembic can alter them later (also on SQLite, in batch mode).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# async_mode is always explicit (gevent under gunicorn); the tests switch to "threading".
socketio = SocketIO()


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, hardened for bodies from anyone (api.md: never a 500 for bad input).

    Besides the syntax errors of the json module, a body is malformed when it nests deeper than
    MAX_DEPTH (a very deep one exhausts the stack while parsing, a RecursionError; one just short of
    that would exhaust it later, in validation or in an error message) or holds an integer literal
    longer than Python converts (a plain ValueError). Each raises json.JSONDecodeError, a ValueError:
    Flask's Request.get_json and the API's argument parser (competition.api.blueprint) answer 400."""

    MAX_DEPTH = 64  # the deepest body we take (a marking scheme) has 7 levels

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except json.JSONDecodeError:
            raise
        except RecursionError:
            raise _malformed(s, "nested too deeply") from None
        except ValueError as error:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
            raise _malformed(s, str(error)) from None
        if _brackets(s) > self.MAX_DEPTH and _deeper_than(value, self.MAX_DEPTH):
            raise _malformed(s, "nested too deeply")
        return value


def _brackets(s: str | bytes) -> int:
    """An upper bound of the nesting depth, counted at C speed (brackets inside strings count too)."""
    if isinstance(s, str):
        return s.count("[") + s.count("{")
    return s.count(b"[") + s.count(b"{")


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels (iteratively: no recursion)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _malformed(s: str | bytes, reason: str) -> json.JSONDecodeError:
    doc = s if isinstance(s, str) else s.decode("utf-8", "replace")
    return json.JSONDecodeError(f"Malformed JSON: {reason}", doc or " ", 0)
