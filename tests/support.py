"""Helpers for the tests: users with tokens, authorised request headers, error-body checks."""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


@dataclass
class Account:
    id: int
    username: str
    role: str
    token: str
    enterprise_id: int | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def create_account(app, role: str = "admin", *, enterprise_id: int | None = None, username: str | None = None,
                   password: str = PASSWORD) -> Account:
    """A user with a bearer token, created directly and committed."""
    from competition.extensions import db
    from competition.models import Role
    from competition.services import accounts

    with app.app_context():
        user = accounts.create_user(username=username or f"{role}{next(_counter)}", password=password,
                                    role=Role(role), enterprise_id=enterprise_id)
        token = accounts.issue_token(user)
        db.session.commit()
        return Account(user.id, user.username, role, token, enterprise_id)


@pytest.fixture
def make_user(app):
    """make_user("organizer") -> Account with a bearer token (created directly, committed)."""
    return lambda role="admin", **kwargs: create_account(app, role, **kwargs)


@pytest.fixture
def admin(make_user) -> Account:
    return make_user("admin")


def assert_error(response, code: int, *, field: str | None = None, reason: str | None = None) -> dict:
    """The api.md error body: code, status, message (and field-level errors for 422); `reason`, the
    machine-readable cause that marking refusals carry, when given."""
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    if field is not None:
        assert field in body["errors"], body
    if reason is not None:
        assert body.get("reason") == reason, body
    return body


def signed_in(app, username: str, password: str = PASSWORD):
    """A test client signed in through the sign-in page, as a browser is (session cookie, CSRF)."""
    browser = app.test_client()
    html = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    response = browser.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return browser


__all__ = ["Account", "PASSWORD", "admin", "assert_error", "create_account", "make_user", "signed_in"]
