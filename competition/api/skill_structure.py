"""Skill-talent structure (api.md, `GET /enterprises/{id}/skill-structure`, `GET /skill-structure`;
promotion.md, "Skill-talent structure").

GET /enterprises/{id}/skill-structure: admin and the enterprise's hr (404 to other hr; organizer 403);
`promotion_ids` limits `pending` to those proposals (the promotions page's "what does confirming this
batch do to our ratio"). PUT /enterprises/{id}/skill-structure/target: the enterprise's high-skill
target (the target line of /hr/structure). GET /skill-structure: admin, every enterprise and the total.
Both reads also come as .xlsx with the same figures, numbers as numbers.
"""
from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from marshmallow import fields, validate

from competition.api.access import roles_required
from competition.api.blueprint import Blueprint
from competition.api.enterprises import scoped_enterprise
from competition.api.schemas import DecimalString, Id, Out, Strict
from competition.api.transaction import transactional
from competition.domain.levels import NATIONAL_LEVELS
from competition.inputs import safe_filename
from competition.models import Role
from competition.services import skill_structure, skill_structure_xlsx

blp = Blueprint("skill_structure", __name__, description="Skill-talent structure (技能人才结构) of enterprises")

READERS = (Role.ADMIN, Role.HR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RATIO = {"type": "string", "nullable": True, "pattern": r"^[01]\.\d{4}$", "example": "0.3077"}

ByLevelOut = Out.from_dict({str(level): fields.Integer(required=True) for level in NATIONAL_LEVELS},
                           name="ByLevelOut")


class OccupationFiguresOut(Out):
    occupation_code = fields.String(required=True, metadata={"example": "6-31-01-03"})
    occupation_name = fields.String(required=True, metadata={"example": "电工"})
    by_level = fields.Nested(ByLevelOut, required=True, metadata={"description": "people at each level held in "
                                                                                 "this occupation"})
    none = fields.Integer(required=True, metadata={"description": "people holding a grade without a level here"})
    skilled = fields.Integer(required=True)
    high_skill = fields.Integer(required=True)
    high_skill_ratio = fields.String(required=True, allow_none=True, metadata=RATIO)


class FiguresOut(Out):
    people = fields.Integer(required=True, metadata={"description": "employees counted (students excluded)"})
    skilled = fields.Integer(required=True, metadata={"description": "people holding any national level"})
    none = fields.Integer(required=True, metadata={"description": "people with no level (学徒工, no grade)"})
    by_level = fields.Nested(ByLevelOut, required=True,
                             metadata={"description": "people at their highest level in any occupation"})
    high_skill = fields.Integer(required=True, metadata={"description": "levels 3, 2 and 1 (高技能人才)"})
    high_skill_ratio = fields.String(required=True, allow_none=True, metadata={
        **RATIO, "description": "high_skill / skilled, half-up to 4 places; null when skilled = 0"})
    skilled_ratio = fields.String(required=True, allow_none=True, metadata={
        **RATIO, "description": "skilled / people, half-up to 4 places; null when people = 0"})
    by_occupation = fields.List(fields.Nested(OccupationFiguresOut), required=True)


class YearOut(Out):
    year = fields.Integer(required=True, metadata={"example": 2026})
    by_level = fields.Nested(ByLevelOut, required=True)


class StructureOut(FiguresOut):
    pending = fields.Nested(FiguresOut, required=True, metadata={
        "description": "the figures if every proposed promotion (or those of `promotion_ids`) were confirmed"})
    by_year = fields.List(fields.Nested(YearOut), required=True, metadata={
        "description": "certificates issued to employees per calendar year of issue (Asia/Shanghai), oldest first"})


class EnterpriseRefOut(Out):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class EnterpriseStructureOut(StructureOut):
    as_of = fields.DateTime(required=True)
    enterprise = fields.Nested(EnterpriseRefOut, required=True)
    high_skill_target = fields.String(required=True, metadata={"example": "0.3000", "description":
                                      "the enterprise's target for high_skill_ratio (default 0.3000)"})


class OverviewOut(Out):
    as_of = fields.DateTime(required=True)
    rows = fields.List(fields.Nested(EnterpriseStructureOut), required=True)
    total = fields.Nested(StructureOut, required=True, metadata={"description": "the rows summed, ratios recomputed"})


class StructureQuery(ma.Schema):
    promotion_ids = fields.List(Id(), validate=validate.Length(max=1000), metadata={
        "description": "count only these proposed promotions of the enterprise in `pending` (repeat the "
                       "parameter); 422 for an id that is not one"})


class TargetIn(Strict):
    high_skill_target = DecimalString(required=True, metadata={
        "description": "a share 0..1 with at most 4 decimals", "example": "0.30"})


class TargetOut(Out):
    enterprise_id = fields.Integer(required=True)
    high_skill_target = fields.String(required=True, metadata={"example": "0.3000"})


def _attachment(body: bytes, filename: str) -> Response:
    disposition = f'attachment; filename="{safe_filename(filename)}"'
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": disposition,
                                                  "Cache-Control": "no-store"})


@blp.route("/enterprises/<int:enterprise_id>/skill-structure")
class EnterpriseSkillStructure(MethodView):
    @roles_required(*READERS)
    @blp.arguments(StructureQuery, location="query", as_kwargs=True)
    @blp.response(200, EnterpriseStructureOut)
    @blp.alt_response(404, description="No such enterprise, or another enterprise's (hr)")
    def get(self, enterprise_id: int, promotion_ids: list[int] | None = None):
        """The enterprise's skill-talent structure (admin, its hr; 404 to other hr)."""
        enterprise = scoped_enterprise(enterprise_id, *READERS)
        structure = skill_structure.of_enterprise(enterprise, promotion_ids=promotion_ids)
        return skill_structure.enterprise_dict(enterprise, structure)


@blp.route("/enterprises/<int:enterprise_id>/skill-structure/target")
class EnterpriseSkillTarget(MethodView):
    @transactional
    @roles_required(*READERS)
    @blp.arguments(TargetIn)
    @blp.response(200, TargetOut)
    def put(self, data, enterprise_id: int):
        """Set the enterprise's target for the high-skill ratio, the target line of its charts."""
        enterprise = scoped_enterprise(enterprise_id, *READERS)
        skill_structure.set_target(enterprise, data["high_skill_target"])
        return {"enterprise_id": enterprise.id, "high_skill_target": skill_structure.target_text(enterprise)}


@blp.route("/enterprises/<int:enterprise_id>/skill-structure.xlsx")
class EnterpriseSkillStructureXlsx(MethodView):
    @roles_required(*READERS)
    @blp.response(200, content_type=XLSX, description="The figures of GET …/skill-structure, numbers as numbers")
    def get(self, enterprise_id: int):
        """The enterprise's skill-talent structure as .xlsx (admin, its hr)."""
        enterprise = scoped_enterprise(enterprise_id, *READERS)
        data = skill_structure.enterprise_dict(enterprise, skill_structure.of_enterprise(enterprise))
        return _attachment(skill_structure_xlsx.workbook([data]), f"skill-structure-{enterprise.code}.xlsx")


@blp.route("/skill-structure")
class SkillStructureOverview(MethodView):
    @roles_required(Role.ADMIN)
    @blp.response(200, OverviewOut)
    def get(self):
        """Every enterprise's skill-talent structure and their total (admin: the bureau's view)."""
        return skill_structure.overview_dict(skill_structure.all_enterprises())


@blp.route("/skill-structure.xlsx")
class SkillStructureOverviewXlsx(MethodView):
    @roles_required(Role.ADMIN)
    @blp.response(200, content_type=XLSX, description="The figures of GET /skill-structure with the total row")
    def get(self):
        """Every enterprise's skill-talent structure and their total as .xlsx (admin)."""
        overview = skill_structure.overview_dict(skill_structure.all_enterprises())
        return _attachment(skill_structure_xlsx.workbook(overview["rows"], total=overview["total"]),
                           "skill-structure.xlsx")
