"""Occupations (promotion.md, Occupations): POST /occupations (admin, organizer), GET /occupations
(any signed-in user)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from competition.api.access import login_required, roles_required
from competition.api.blueprint import Blueprint
from competition.api.schemas import NAME, Out, Strict
from competition.api.transaction import transactional
from competition.services import occupations
from competition.services.access import STAFF_ROLES

blp = Blueprint("occupations", __name__, description="Occupations of the national classification")


class OccupationIn(Strict):
    code = fields.String(required=True, validate=validate.Regexp(
        occupations.CODE_RE, error="must have the national classification format D-DD-DD-DD, e.g. 6-31-01-03"),
        metadata={"example": "6-31-01-03"})
    edition = fields.String(required=True, validate=validate.Length(min=1, max=16), metadata={"example": "2022"})
    name = fields.String(required=True, validate=NAME, metadata={"example": "电工"})
    levels = fields.List(fields.Integer(strict=True), required=True,
                         metadata={"description": "national levels offered: a non-empty subset of 1..5",
                                   "example": [5, 4, 3, 2, 1]})
    direction = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                              metadata={"description": "工种/direction, if any"})


class OccupationOut(Out):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    edition = fields.String(required=True)
    name = fields.String(required=True)
    direction = fields.String(allow_none=True)
    levels = fields.List(fields.Integer(), required=True)


@blp.route("/occupations")
class Occupations(MethodView):
    @login_required
    @blp.response(200, OccupationOut(many=True))
    def get(self):
        """Every occupation, by code."""
        return [occupations.occupation_dict(o) for o in occupations.all_occupations()]

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(OccupationIn)
    @blp.response(201, OccupationOut)
    def post(self, data):
        """Add an occupation (admin, organizer); 409 when the code exists."""
        return occupations.occupation_dict(occupations.create_occupation(data))
