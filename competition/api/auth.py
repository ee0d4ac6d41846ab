"""POST /api/v1/auth/token: a bearer token for a username and password."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from marshmallow import fields, validate

from competition.api.blueprint import Blueprint
from competition.api.schemas import Out, Strict
from competition.api.transaction import transactional
from competition.api.users import UserOut
from competition.services import accounts

blp = Blueprint("auth", __name__, description="Sign in for API clients")


class Credentials(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class TokenOut(Out):
    token = fields.String(required=True)
    user = fields.Nested(UserOut, required=True)


@blp.route("/auth/token")
class Token(MethodView):
    @transactional
    @blp.arguments(Credentials)
    @blp.response(201, TokenOut)
    @blp.alt_response(401, description="Wrong username or password")
    @blp.alt_response(429, description="Too many failures; see Retry-After")
    def post(self, credentials):
        """Exchange a username and password for a bearer token."""
        user = accounts.authenticate(credentials["username"], credentials["password"],
                                     request.remote_addr or "unknown")
        return {"token": accounts.issue_token(user), "user": user}
