"""Bearer tokens: POST /auth/token (a username and password), DELETE /auth/token (the token in use),
GET /auth/tokens and DELETE /auth/tokens/{id} (api.md, Conventions: sessions and tokens)."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from marshmallow import fields, validate

from competition.api.access import caller, login_required
from competition.api.blueprint import Blueprint, no_content
from competition.api.schemas import Out, Strict
from competition.api.transaction import transactional
from competition.api.users import UserOut
from competition.errors import abort
from competition.security import bearer_token
from competition.services import accounts, sessions

blp = Blueprint("auth", __name__, description="Sign in for API clients")


class Credentials(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    label = fields.String(validate=validate.Length(min=1, max=100),
                          metadata={"description": "what the token is for, shown in GET /auth/tokens"})


class TokenInfo(Out):
    id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True)
    label = fields.String(allow_none=True)


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
        return {"token": accounts.issue_token(user, label=credentials.get("label")), "user": user}

    @transactional
    @blp.response(204)
    @blp.alt_response(401, description="No bearer token, or not a live one")
    def delete(self):
        """Revoke the bearer token this request is made with."""
        token = bearer_token()
        user = caller()
        if token is None or user is None:
            abort(401, "Send the bearer token to revoke in the Authorization header.")
        sessions.revoke_current(token, user)
        return no_content()


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @login_required
    @blp.response(200, TokenInfo(many=True))
    def get(self):
        """The caller's live API tokens (never the tokens themselves)."""
        return [sessions.token_dict(t) for t in sessions.live_tokens(caller())]


@blp.route("/auth/tokens/<int:token_id>")
class TokenById(MethodView):
    @login_required
    @transactional
    @blp.response(204)
    @blp.alt_response(404, description="No live token of the caller's with this id (admin: of anyone's)")
    def delete(self, token_id):
        """Revoke one API token: the caller's own; an admin may revoke anyone's."""
        try:
            sessions.revoke(token_id, caller())
        except sessions.TokenNotFound:
            abort(404, "No such token.")
        return no_content()
