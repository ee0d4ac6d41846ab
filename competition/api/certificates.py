"""Certificates (api.md, Promotions and certificates; promotion.md, Certificates).

GET /certificates/{number}: the full certificate (admin, the issuing enterprise's hr; 404 to other hr).
GET /verify/{number}: anyone; the masked public fields only, 404 for an unknown number.
GET /enterprises/{id}/certificates.xlsx and .csv: admin and the enterprise's hr (404 to other hr); the
data for the provincial supervision platform, one row per certificate.
"""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import fields

from competition.api.access import require_user
from competition.api.blueprint import Blueprint
from competition.api.enterprises import scoped_enterprise
from competition.api.promotions import CertificateOut
from competition.api.schemas import Out
from competition.errors import abort
from competition.inputs import safe_filename
from competition.models import Role
from competition.services import certificates

blp = Blueprint("certificates", __name__, description="Certificates: full view, public verification, exports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTERS = (Role.ADMIN, Role.HR)


class CertificateVerifyOut(Out):
    valid = fields.Boolean(required=True)
    number = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "masked: 张*丰, 李*", "example": "张*丰"})
    occupation_code = fields.String(required=True)
    occupation_name = fields.String(required=True)
    level = fields.Integer(required=True)
    level_label = fields.String(required=True, metadata={"example": "二级/技师"})
    issuer = fields.String(required=True)
    issue_date = fields.String(required=True, metadata={"format": "date"})


@blp.route("/certificates/<string:number>")
class CertificateItem(MethodView):
    @blp.response(200, CertificateOut)
    def get(self, number):
        """The full certificate: admin and the issuing enterprise's HR officers (404 to other HR)."""
        user = require_user()
        certificate = certificates.find_for(number, user)
        return certificates.certificate_dict(certificate, user)


@blp.route("/verify/<string:number>")
class Verify(MethodView):
    @blp.response(200, CertificateVerifyOut)
    def get(self, number):
        """Public verification: the number, the masked name, occupation, level, issuer and date."""
        certificate = certificates.find(number)
        if certificate is None:
            abort(404, "No certificate with this number.")
        return certificates.public_dict(certificate)


def _export(enterprise_id: int):
    enterprise = scoped_enterprise(enterprise_id, *EXPORTERS)
    user = require_user()
    return enterprise, certificates.export_rows(certificates.of_enterprise(enterprise.id), user)


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{safe_filename(filename)}"',
                             "Cache-Control": "no-store"})


@blp.route("/enterprises/<int:enterprise_id>/certificates.xlsx")
class CertificatesXlsx(MethodView):
    @blp.response(200, content_type=XLSX, description="One row per certificate")
    def get(self, enterprise_id):
        """The enterprise's certificates as .xlsx for the provincial supervision platform (admin, its hr)."""
        enterprise, rows = _export(enterprise_id)
        return _attachment(certificates.to_xlsx(rows), XLSX, f"certificates-{enterprise.code}.xlsx")


@blp.route("/enterprises/<int:enterprise_id>/certificates.csv")
class CertificatesCsv(MethodView):
    @blp.response(200, content_type="text/csv", description="UTF-8 with BOM; one row per certificate")
    def get(self, enterprise_id):
        """The enterprise's certificates as CSV (UTF-8 with BOM) for the provincial supervision platform."""
        enterprise, rows = _export(enterprise_id)
        return _attachment(certificates.to_csv(rows), "text/csv; charset=utf-8",
                           f"certificates-{enterprise.code}.csv")
