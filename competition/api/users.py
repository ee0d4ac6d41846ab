"""Users: GET /users and POST /users (admin), PATCH /users/{id} (admin), GET /users/me."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from competition.api.access import require_user, roles_required
from competition.api.blueprint import Blueprint, no_content
from competition.api.schemas import NAME, Id, Out, Strict
from competition.api.transaction import transactional
from competition.models import Role
from competition.services import accounts, throttle
from competition.services.access import STAFF_ROLES

blp = Blueprint("users", __name__, description="Accounts")

ROLE_NAMES = [r.value for r in Role]


class UserOut(Out):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String()
    role = fields.Function(lambda u: u.role.value, required=True, metadata={"enum": ROLE_NAMES})
    enterprise_id = fields.Integer(allow_none=True)


class AccountOut(UserOut):
    """A user as the admin's account list shows it."""

    active = fields.Boolean(required=True)
    created_at = fields.DateTime()


class UsersQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # page and page_size belong to the pagination parameters

    role = fields.String(validate=validate.OneOf(ROLE_NAMES), metadata={"enum": ROLE_NAMES})
    q = fields.String(load_default="", validate=validate.Length(max=100),
                      metadata={"description": "part of the username or display name (case-insensitive)"})


class UserPatch(Strict):
    display_name = fields.String(validate=NAME)
    enterprise_id = Id(allow_none=True, metadata={"description": "null: no enterprise (not for hr)"})
    active = fields.Boolean(truthy={True}, falsy={False}, metadata={
        "description": "false switches the account off at once: its tokens are deleted and its browser sessions end"})
    password = fields.String(load_only=True, validate=validate.Length(min=8, max=200),
                             metadata={"description": "a new password; the user's tokens are revoked"})


class UserIn(Strict):
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.@-]{2,64}$", error="2 to 64 letters, digits or _ . @ -"))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=200))
    display_name = fields.String(load_default="", validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLE_NAMES))
    enterprise_id = Id(load_default=None, allow_none=True)


@blp.route("/users")
class Users(MethodView):
    @roles_required(Role.ADMIN)
    @blp.arguments(UsersQuery, location="query", as_kwargs=True)
    @blp.response(200, AccountOut(many=True))
    @blp.paginate(page_size=50, max_page_size=500)
    def get(self, q: str, pagination_parameters, role: str | None = None):
        """Every account by username, optionally of one `role` and matching `q` (admin), paginated."""
        found, total = accounts.list_users(role=Role(role) if role else None, q=q,
                                           page=pagination_parameters.page,
                                           page_size=pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return found

    @transactional
    @roles_required(Role.ADMIN)
    @blp.arguments(UserIn)
    @blp.response(201, AccountOut)
    @blp.alt_response(409, description="The username is taken")
    def post(self, data):
        """Create a user (admin)."""
        return accounts.create_user(username=data["username"], password=data["password"],
                                    role=Role(data["role"]), display_name=data["display_name"],
                                    enterprise_id=data["enterprise_id"])


@blp.route("/users/<int:user_id>")
class UserById(MethodView):
    @transactional
    @roles_required(Role.ADMIN)
    @blp.arguments(UserPatch)
    @blp.response(200, AccountOut)
    @blp.alt_response(404, description="No such user")
    @blp.alt_response(409, description="An admin's own account, or the last active admin, cannot be switched off")
    def patch(self, data, user_id: int):
        """Change an account (admin): display name, enterprise, active, password. Switching an account off
        or changing its password revokes its tokens at once."""
        return accounts.update_user(accounts.get_user(user_id), data, actor=require_user())


@blp.route("/users/<int:user_id>/unlock")
class Unlock(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.response(204)
    @blp.alt_response(404, description="No such user")
    def post(self, user_id: int):
        """Clear an account's sign-in delay after repeated failures (admin, organizer)."""
        throttle.unlock(accounts.get_user(user_id), require_user())
        return no_content()


@blp.route("/users/me")
class Me(MethodView):
    @blp.response(200, UserOut)
    def get(self):
        """The caller."""
        return require_user()
