"""Enterprises and their grade schemes (api.md, Users and enterprises; promotion.md).

POST /enterprises (admin); GET /enterprises (admin, organizer: all; hr: its own);
GET /enterprises/{id} (admin, organizer, its hr); GET|PUT /enterprises/{id}/grade-scheme;
GET /grade-scheme-templates/eight-grade. An hr officer asking about another enterprise gets 404.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from competition.api.access import login_required, require_role, require_user, roles_required
from competition.api.blueprint import Blueprint
from competition.api.schemas import NAME, SYMBOL, Id, Out, Strict
from competition.api.transaction import transactional
from competition.errors import abort
from competition.models import Enterprise, Role
from competition.services import enterprises, grade_schemes

blp = Blueprint("enterprises", __name__, description="Enterprises and their grade schemes")

READERS = (Role.ADMIN, Role.ORGANIZER, Role.HR)
WRITERS = (Role.ADMIN, Role.HR)


def scoped_enterprise(enterprise_id: int, *roles: Role) -> Enterprise:
    """The enterprise, for a caller with one of `roles`; 404 to the hr of another enterprise."""
    user = require_role(*roles)
    return enterprises.enterprise_in_scope(user, enterprise_id, roles)


# --- schemas --------------------------------------------------------------------------------------

class EnterpriseIn(Strict):
    code = fields.String(required=True, validate=SYMBOL)
    name = fields.String(required=True, validate=NAME)
    cert_prefix = fields.String(load_default="Y", metadata={
        "description": "Y (employer evaluation) or S (social evaluation organisation)", "enum": ["Y", "S"]})
    org_code = fields.String(load_default="0000", metadata={
        "description": "4 digits; 0000 when filed with the province", "pattern": r"^\d{4}$"})
    province_code = fields.String(load_default="21", metadata={
        "description": "2 digits; Liaoning is 21", "pattern": r"^\d{2}$"})
    site_code = fields.String(load_default="000001", metadata={"description": "6 digits", "pattern": r"^\d{6}$"})


class EnterpriseOut(Out):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    cert_prefix = fields.String(required=True)
    org_code = fields.String(required=True)
    province_code = fields.String(required=True)
    site_code = fields.String(required=True)


class GradeIn(ma.Schema):
    """One grade as submitted. The domain (`validate_grade_scheme`) checks every field and reports
    errors per grade, so this schema only documents the shape and lets everything through."""

    class Meta:
        unknown = ma.INCLUDE

    code = fields.Raw(metadata={"type": "string", "maxLength": 32, "example": "technician"})
    name = fields.Raw(metadata={"type": "string", "maxLength": 200, "example": "技师"})
    national_level = fields.Raw(allow_none=True, metadata={"type": "integer", "minimum": 1, "maximum": 5,
                                                           "nullable": True, "example": 2})
    appointed_only = fields.Raw(metadata={"type": "boolean", "default": False})


class GradeSchemeIn(Strict):
    grades = fields.List(fields.Nested(GradeIn), required=True, validate=validate.Length(max=100),
                         metadata={"description": "lowest grade first"})


class GradeOut(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    national_level = fields.Integer(allow_none=True, required=True)
    level_label = fields.String(allow_none=True, metadata={"example": "二级/技师"})
    appointed_only = fields.Boolean(required=True)


class GradeSchemeOut(Out):
    enterprise_id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    created_at = fields.DateTime()
    grades = fields.List(fields.Nested(GradeOut), required=True)


class TemplateGradeOut(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    national_level = fields.Integer(allow_none=True, required=True)
    appointed_only = fields.Boolean(required=True)


class VersionQuery(ma.Schema):
    version = Id()


# --- enterprises ----------------------------------------------------------------------------------

@blp.route("/enterprises")
class Enterprises(MethodView):
    @roles_required(*READERS)
    @blp.response(200, EnterpriseOut(many=True))
    def get(self):
        """Enterprises: all for admin and organizer, its own for an hr officer."""
        return enterprises.visible_enterprises(require_user())

    @transactional
    @roles_required(Role.ADMIN)
    @blp.arguments(EnterpriseIn)
    @blp.response(201, EnterpriseOut)
    def post(self, data):
        """Create an enterprise with its certificate-number settings (admin)."""
        return enterprises.create_enterprise(data)


@blp.route("/enterprises/<int:enterprise_id>")
class EnterpriseById(MethodView):
    @roles_required(*READERS)
    @blp.response(200, EnterpriseOut)
    def get(self, enterprise_id: int):
        """One enterprise (admin, organizer, its hr; 404 to another enterprise's hr)."""
        return scoped_enterprise(enterprise_id, *READERS)


# --- grade schemes --------------------------------------------------------------------------------

@blp.route("/enterprises/<int:enterprise_id>/grade-scheme")
class EnterpriseGradeScheme(MethodView):
    @roles_required(*READERS)
    @blp.arguments(VersionQuery, location="query", as_kwargs=True)
    @blp.response(200, GradeSchemeOut)
    def get(self, enterprise_id: int, version: int | None = None):
        """The current grade scheme, or an older `version` (404 when there is none)."""
        enterprise = scoped_enterprise(enterprise_id, *READERS)
        if version is None:
            scheme = grade_schemes.current(enterprise.id)
            if scheme is None:
                abort(404, "This enterprise has no grade scheme yet.")
        else:
            scheme = grade_schemes.version(enterprise.id, version)
            if scheme is None:
                abort(404, f"This enterprise has no grade scheme version {version}.")
        return grade_schemes.scheme_dict(scheme)

    @transactional
    @roles_required(*WRITERS)
    @blp.arguments(GradeSchemeIn)
    @blp.response(200, GradeSchemeOut)
    @blp.alt_response(409, description="A grade to be removed is held by someone of the enterprise")
    @blp.alt_response(422, description="A rule of promotion.md is broken; `errors.grades` names each grade")
    def put(self, data, enterprise_id: int):
        """Replace the grade scheme (lowest grade first); a change makes a new version."""
        enterprise = scoped_enterprise(enterprise_id, *WRITERS)
        scheme = grade_schemes.replace(enterprise, data["grades"], user=require_user())
        return grade_schemes.scheme_dict(scheme)


@blp.route("/grade-scheme-templates/eight-grade")
class EightGradeTemplate(MethodView):
    @login_required
    @blp.response(200, TemplateGradeOut(many=True))
    def get(self):
        """The 新八级 ladder (学徒工 … 首席技师), lowest first, ready to PUT as a scheme's `grades`."""
        return grade_schemes.template()
