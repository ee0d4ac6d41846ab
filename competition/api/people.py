"""People of an enterprise and their bulk import (api.md, Users and enterprises; roles.md).

ID and phone numbers are masked in every answer except to admin and the person's own enterprise's
hr. Another enterprise's hr gets 404 for this enterprise's ids, people included.
"""
from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from competition.api.access import login_required, require_user, roles_required
from competition.api.blueprint import Blueprint
from competition.api.enterprises import scoped_enterprise
from competition.api.schemas import CODE, NAME, Out, Strict
from competition.api.transaction import large_body, transactional
from competition.domain.identity import ID_TYPES, RESIDENT_ID_CARD
from competition.models import Role
from competition.services import people, people_import

blp = Blueprint("people", __name__, description="People of an enterprise (employees and students)")

EDITORS = (Role.ADMIN, Role.HR)
LISTERS = (Role.ADMIN, Role.ORGANIZER, Role.HR)


class HeldGradeIn(Strict):
    occupation_code = fields.String(required=True, validate=CODE, metadata={"example": "6-31-01-03"})
    grade_code = fields.String(required=True, validate=CODE, metadata={"example": "senior"})


class PersonIn(Strict):
    person_no = fields.String(required=True, validate=CODE, metadata={"description": "工号 / 学号"})
    name = fields.String(required=True, validate=NAME)
    id_type = fields.String(load_default=RESIDENT_ID_CARD, validate=validate.OneOf(ID_TYPES))
    id_number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    kind = fields.String(required=True, validate=validate.OneOf(people.KINDS))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    grades = fields.List(fields.Nested(HeldGradeIn), load_default=list, validate=validate.Length(max=100))


class PersonPatch(Strict):
    name = fields.String(validate=NAME)
    kind = fields.String(validate=validate.OneOf(people.KINDS))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    id_type = fields.String(validate=validate.OneOf(ID_TYPES))
    id_number = fields.String(validate=validate.Length(min=1, max=32))
    grades = fields.List(fields.Nested(HeldGradeIn), validate=validate.Length(max=100),
                         metadata={"description": "the complete list of grades held, one per occupation"})


class HeldGradeOut(Out):
    occupation_code = fields.String(required=True)
    occupation_name = fields.String(required=True)
    grade_code = fields.String(required=True)
    grade_name = fields.String(allow_none=True)
    national_level = fields.Integer(allow_none=True)
    level_label = fields.String(allow_none=True, metadata={"example": "三级/高级工"})
    appointed_only = fields.Boolean()
    since = fields.DateTime()
    source = fields.String()


class PersonOut(Out):
    id = fields.Integer(required=True)
    enterprise_id = fields.Integer(required=True)
    person_no = fields.String(required=True)
    name = fields.String(required=True)
    id_type = fields.String(required=True)
    id_number = fields.String(required=True, metadata={"description": "masked unless the caller is admin or "
                                                                      "the person's own hr"})
    kind = fields.String(required=True, metadata={"enum": list(people.KINDS)})
    phone = fields.String(allow_none=True, metadata={"description": "masked like id_number"})
    masked = fields.Boolean(required=True)
    grades = fields.List(fields.Nested(HeldGradeOut), required=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PeopleQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # page and page_size belong to the pagination parameters

    q = fields.String(load_default="", validate=validate.Length(max=100),
                      metadata={"description": "part of the person number or name (or ID number, for "
                                               "callers who see ID numbers)"})


class ImportFile(Strict):
    file = Upload(required=True, metadata={"description": ".xlsx or .csv (UTF-8), header row first"})


class ImportOut(Out):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer()
    rows = fields.Integer()


@blp.route("/enterprises/<int:enterprise_id>/people")
class People(MethodView):
    @roles_required(*LISTERS)
    @blp.arguments(PeopleQuery, location="query", as_kwargs=True)
    @blp.response(200, PersonOut(many=True))
    @blp.paginate(page_size=50, max_page_size=500)
    def get(self, enterprise_id: int, q: str, pagination_parameters):
        """People of the enterprise by person number (admin, organizer, its hr), paginated."""
        enterprise = scoped_enterprise(enterprise_id, *LISTERS)
        viewer = require_user()
        found, total = people.page(enterprise, q, viewer=viewer, page=pagination_parameters.page,
                                   page_size=pagination_parameters.page_size)
        pagination_parameters.item_count = total
        scheme = people.SchemeView.of(enterprise.id)
        return [people.person_dict(p, viewer=viewer, scheme=scheme) for p in found]

    @transactional
    @roles_required(*EDITORS)
    @blp.arguments(PersonIn)
    @blp.response(201, PersonOut)
    def post(self, data, enterprise_id: int):
        """Add a person (admin, its hr). Grade codes must be in the enterprise's current scheme."""
        enterprise = scoped_enterprise(enterprise_id, *EDITORS)
        person = people.create(enterprise, data)
        return people.person_dict(person, viewer=require_user())


@blp.route("/enterprises/<int:enterprise_id>/people/<int:person_id>")
class PersonById(MethodView):
    @roles_required(*EDITORS)
    @blp.response(200, PersonOut)
    def get(self, enterprise_id: int, person_id: int):
        """One person with the grades held (admin, its hr)."""
        enterprise = scoped_enterprise(enterprise_id, *EDITORS)
        person = people.get(enterprise, person_id)
        return people.person_dict(person, viewer=require_user())

    @transactional
    @roles_required(*EDITORS)
    @blp.arguments(PersonPatch)
    @blp.response(200, PersonOut)
    def patch(self, data, enterprise_id: int, person_id: int):
        """Change name, phone, kind, ID number or the grades held (`grades` replaces the whole list)."""
        enterprise = scoped_enterprise(enterprise_id, *EDITORS)
        person = people.update(people.get(enterprise, person_id), data)
        return people.person_dict(person, viewer=require_user())


@blp.route("/enterprises/<int:enterprise_id>/people/import")
class PeopleImport(MethodView):
    @large_body
    @transactional
    @roles_required(*EDITORS)
    @blp.arguments(ImportFile, location="files")
    @blp.response(200, ImportOut)
    @blp.alt_response(422, description='Bad rows: `errors` = [{"row", "field", "column", "message"}, ...], '
                                       "every bad row listed; nothing imported")
    def post(self, files, enterprise_id: int):
        """Import people from a .xlsx or .csv file: all rows checked first, then created or updated
        (matched by person number) in one transaction. Up to 10 MiB."""
        enterprise = scoped_enterprise(enterprise_id, *EDITORS)
        upload = files["file"]
        result = people_import.import_people(enterprise, upload.filename or "", upload.read())
        return result.as_dict()


def _download(content: bytes, filename: str, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/people-import-template.csv")
class ImportTemplateCsv(MethodView):
    @login_required
    @blp.doc(responses={"200": {"description": "CSV (UTF-8 with BOM), Chinese headers and one example row",
                                "content": {"text/csv": {}}}})
    def get(self):
        """The people import template as CSV."""
        return _download(people_import.template_csv(), "people-import-template.csv", "text/csv; charset=utf-8")


@blp.route("/people-import-template.xlsx")
class ImportTemplateXlsx(MethodView):
    @login_required
    @blp.doc(responses={"200": {"description": "Workbook with Chinese headers, one example row and notes",
                                "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
    def get(self):
        """The people import template as an Excel workbook."""
        return _download(people_import.template_xlsx(), "people-import-template.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

