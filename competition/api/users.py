"""Users: POST /users (admin), GET /users/me."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from competition.api.access import require_user, roles_required
from competition.api.blueprint import Blueprint
from competition.api.errors import abort
from competition.api.schemas import NAME, Out, Strict
from competition.api.transaction import transactional
from competition.models import Role
from competition.services import accounts

blp = Blueprint("users", __name__, description="Accounts")

ROLE_NAMES = [r.value for r in Role]


class UserOut(Out):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String()
    role = fields.Function(lambda u: u.role.value, required=True, metadata={"enum": ROLE_NAMES})
    enterprise_id = fields.Integer(allow_none=True)


class UserIn(Strict):
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.@-]{2,64}$", error="2 to 64 letters, digits or _ . @ -"))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=200))
    display_name = fields.String(load_default="", validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLE_NAMES))
    enterprise_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


@blp.route("/users")
class Users(MethodView):
    @transactional
    @roles_required(Role.ADMIN)
    @blp.arguments(UserIn)
    @blp.response(201, UserOut)
    def post(self, data):
        """Create a user (admin)."""
        try:
            return accounts.create_user(username=data["username"], password=data["password"],
                                        role=Role(data["role"]), display_name=data["display_name"],
                                        enterprise_id=data["enterprise_id"])
        except accounts.AccountError as error:
            abort(error.status, error.message, errors={error.field: [error.message]} if error.field else None)


@blp.route("/users/me")
class Me(MethodView):
    @blp.response(200, UserOut)
    def get(self):
        """The caller."""
        return require_user()
