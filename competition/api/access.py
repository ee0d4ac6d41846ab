"""Who is calling, and the role checks of roles.md for API views."""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask_login import current_user

from competition.errors import abort
from competition.models import Role, User


def caller() -> User | None:
    """The signed-in user itself, not flask-login's proxy: views and services read its attributes
    many times per request, and each read through the proxy looks the user up again."""
    user = current_user._get_current_object()
    return user if user.is_authenticated else None


def require_user() -> User:
    user = caller()
    if user is None:
        abort(401, "Sign in first (a bearer token or a session).")
    return user


def require_role(*roles: Role) -> User:
    user = require_user()
    if user.role not in roles:
        abort(403, "Your role may not do this.")
    return user


def roles_required(*roles: Role) -> Callable:
    """View decorator: 401 for anonymous callers, 403 for a role not listed."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            require_role(*roles)
            return view(*args, **kwargs)

        wrapper._roles = roles  # read by the access-matrix test
        return wrapper

    return decorator


def login_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)

    wrapper._login = True  # read by the API's before-request check (api/__init__.py)
    return wrapper
