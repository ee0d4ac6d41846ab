"""Who may open a page: anonymous visitors are sent to sign in (and come back), signed-in users
without one of the page's roles get the 403 page."""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort, redirect, request, url_for
from flask_login import current_user

from competition.models import Role


def page_for(*roles: Role) -> Callable[[Callable], Callable]:
    """View decorator for a page of these roles."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
