"""The audit log: GET /audit, GET /audit/verify (admin, organizer)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate
from sqlalchemy import select

from competition.api.access import roles_required
from competition.api.blueprint import Blueprint
from competition.api.schemas import Id, Out, Strict
from competition.extensions import db
from competition.models import AuditEntry
from competition.services import audit
from competition.services.access import STAFF_ROLES

blp = Blueprint("audit", __name__, description="The append-only, hash-chained audit log")


class AuditQuery(Strict):
    contest_id = Id()
    after_id = fields.Integer(load_default=0, validate=validate.Range(0, 2**63 - 1))
    after_seq = fields.Integer(load_default=0, validate=validate.Range(0, 2**63 - 1))
    limit = fields.Integer(load_default=500, validate=validate.Range(0, 2**31 - 1))


class AuditEntryOut(Out):
    id = fields.Integer(required=True)
    chain = fields.String(required=True, attribute="chain_name")
    seq = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    target = fields.String(required=True)
    contest_id = fields.Integer(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    hash = fields.String(required=True)
    prev_hash = fields.String(required=True)


class VerifyOut(Out):
    ok = fields.Boolean(required=True)
    entries = fields.Integer(required=True)
    first_bad_seq = fields.Integer()
    chain = fields.String()


@blp.route("/audit")
class AuditLog(MethodView):
    @roles_required(*STAFF_ROLES)
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditEntryOut(many=True))
    def get(self, query):
        """One contest's chain in `seq` order (page with `after_seq`), or, without `contest_id`, every
        linked entry in the order written (each with its chain and its `seq` there; page with `after_id`)."""
        if "contest_id" in query:
            stmt = (select(AuditEntry).where(AuditEntry.chain == query["contest_id"],
                                             AuditEntry.seq > query["after_seq"]).order_by(AuditEntry.seq))
        else:
            stmt = (select(AuditEntry).where(AuditEntry.seq > query["after_seq"], AuditEntry.id > query["after_id"])
                    .order_by(AuditEntry.id))
        return db.session.scalars(stmt.limit(max(1, min(query["limit"], 5000)))).all()


@blp.route("/audit/verify")
class AuditVerify(MethodView):
    @roles_required(*STAFF_ROLES)
    @blp.response(200, VerifyOut)
    def get(self):
        """Recompute every chain; name the first entry that does not match, and its chain."""
        return audit.verify(db.session).as_dict()
