"""Promotions (api.md, Promotions and certificates; promotion.md, HR review; roles.md).

GET /contests/{id}/promotions (admin, organizer: all outcomes; hr: its own people's; others 403);
GET /promotions/{pid} (the same scope, with names and the certificate number);
POST /promotions/{pid}/confirm, /reject and the batch POST /promotions/decide (hr of the person's
employer; another enterprise's ids are 404); GET /policy-library (any signed-in user).

Decisions carry the proposal's `version`: stale or already decided is 409. With an
`Idempotency-Key` a retry gets the first answer (the `transactional` decorator). The batch decides
each row in its own savepoint and answers 200 with one result per row, in the request's order.
"""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from competition.api.access import login_required, require_user
from competition.api.blueprint import Blueprint
from competition.api.schemas import Id, Out, Strict
from competition.api.transaction import transactional
from competition.domain.policy_library import READY_POLICIES
from competition.services import certificates, contests, promotion_review, promotions

blp = Blueprint("promotions", __name__, description="Direct promotion: outcomes, HR review, ready policies")


# --- schemas -------------------------------------------------------------------------------------------

class PromotionOut(Out):
    id = fields.Integer(required=True)
    competitor_id = fields.Integer(required=True)
    person_id = fields.Integer(required=True)
    rank = fields.Integer(allow_none=True, required=True)
    band = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, metadata={"enum": ["proposed", "not_eligible", "confirmed", "rejected"]})
    reason = fields.String(allow_none=True, required=True, metadata={
        "description": "reason code of a not_eligible outcome (promotion.md step 1-4)"})
    from_grade = fields.String(allow_none=True, required=True, metadata={"description": "grade code"})
    to_grade = fields.String(allow_none=True, required=True)
    from_level = fields.Integer(allow_none=True, required=True)
    to_level = fields.Integer(allow_none=True, required=True)
    version = fields.Integer(required=True)


class CertificateOut(Out):
    number = fields.String(required=True, metadata={"example": "Y00002100000126200001"})
    person_id = fields.Integer()
    person_name = fields.String()
    id_type = fields.String()
    id_number = fields.String()
    occupation_code = fields.String()
    occupation_name = fields.String()
    occupation_edition = fields.String()
    direction = fields.String()
    level = fields.Integer()
    level_label = fields.String(metadata={"example": "二级/技师"})
    grade_code = fields.String()
    grade_name = fields.String()
    scheme_version = fields.Integer(allow_none=True)
    enterprise_id = fields.Integer()
    issuer = fields.String()
    issue_date = fields.String(metadata={"format": "date"})
    basis = fields.String()
    contest_id = fields.Integer()
    contest_name = fields.String()
    rank = fields.Integer()
    total = fields.String(allow_none=True)
    promotion_id = fields.Integer()
    issued_at = fields.DateTime()
    verify_url = fields.String()


class PromotionDetailOut(PromotionOut):
    contest_id = fields.Integer()
    contest_name = fields.String()
    enterprise_id = fields.Integer()
    person_name = fields.String()
    person_no = fields.String()
    kind = fields.String()
    total = fields.String(allow_none=True)
    status_label = fields.String()
    reason_label = fields.String(allow_none=True)
    from_grade_name = fields.String(allow_none=True)
    to_grade_name = fields.String(allow_none=True)
    from_text = fields.String(metadata={"example": "高级工 (三级/高级工)"})
    to_text = fields.String(allow_none=True, metadata={"example": "技师 (二级/技师)"})
    scheme_version = fields.Integer(allow_none=True)
    policy_hash = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    reject_reason = fields.String(allow_none=True)
    certificate_number = fields.String(allow_none=True)
    certificate = fields.Nested(CertificateOut, allow_none=True)


class VersionIn(Strict):
    version = Id(required=True, strict=True)


class RejectIn(VersionIn):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                           metadata={"description": "required (422 without)"})


class DecisionIn(Strict):
    id = Id(required=True, strict=True)
    version = Id(required=True, strict=True)
    action = fields.String(required=True, validate=validate.OneOf(("confirm", "reject")))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class BatchIn(Strict):
    decisions = fields.List(fields.Nested(DecisionIn), required=True, validate=validate.Length(1, 500))


class DecisionResultOut(Out):
    id = fields.Integer(required=True)
    action = fields.String(required=True)
    ok = fields.Boolean(required=True)
    status = fields.Integer(required=True, metadata={"description": "the HTTP status this decision alone "
                                                                    "would have had: 200, 404, 409 or 422"})
    message = fields.String()
    errors = fields.Raw()
    current = fields.Nested(PromotionOut, metadata={"description": "on a 409: the proposal as it is now"})
    promotion = fields.Nested(PromotionDetailOut)
    certificate = fields.Nested(CertificateOut, allow_none=True)


class BatchOut(Out):
    results = fields.List(fields.Nested(DecisionResultOut), required=True)
    confirmed = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    failed = fields.Integer(required=True)


class ReadyPolicyOut(Out):
    id = fields.String(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    rule = fields.String(required=True)
    source = fields.String(required=True)
    policy = fields.Raw(required=True, metadata={"type": "object",
                                                 "description": "a promotion_policy ready for POST /contests"})


def detail(promotion, user) -> dict:
    data = promotions.promotion_detail(promotion, user)
    data["certificate"] = (certificates.certificate_dict(promotion.certificate, user)
                           if promotion.certificate is not None else None)
    return data


# --- views ---------------------------------------------------------------------------------------------

@blp.route("/contests/<int:contest_id>/promotions")
class ContestPromotions(MethodView):
    @blp.response(200, PromotionOut(many=True))
    def get(self, contest_id):
        """The contest's promotion outcomes, one per person: organizers and admin all, an HR officer
        only its own enterprise's people; other roles 403."""
        user = require_user()
        contest = contests.find(contest_id, user)
        return [promotions.promotion_dict(p) for p in promotions.visible_for(contest, user)]


@blp.route("/promotions/<int:promotion_id>")
class PromotionItem(MethodView):
    @blp.response(200, PromotionDetailOut)
    def get(self, promotion_id):
        """One outcome with names, labels and its certificate (same scope as the list; hr: 404 for
        other enterprises' people)."""
        user = require_user()
        return detail(promotions.find_visible(promotion_id, user), user)


@blp.route("/promotions/<int:promotion_id>/confirm")
class Confirm(MethodView):
    @transactional
    @blp.arguments(VersionIn)
    @blp.response(200, PromotionDetailOut)
    @blp.alt_response(409, description="Stale version, no longer proposed, or once-per-year already used; "
                                       "`current` is the proposal as it is now")
    def post(self, data, promotion_id):
        """Confirm a proposal (hr of the person's employer): sets the person's grade and issues the
        certificate (`certificate` in the answer), in one transaction."""
        user = require_user()
        promotion = promotion_review.decide(promotion_id, user, "confirm", data["version"])
        return detail(promotion, user)


@blp.route("/promotions/<int:promotion_id>/reject")
class Reject(MethodView):
    @transactional
    @blp.arguments(RejectIn)
    @blp.response(200, PromotionDetailOut)
    @blp.alt_response(422, description="No reason given")
    def post(self, data, promotion_id):
        """Reject a proposal with a reason (hr of the person's employer)."""
        user = require_user()
        promotion = promotion_review.decide(promotion_id, user, "reject", data["version"], data["reason"])
        return detail(promotion, user)


@blp.route("/promotions/decide")
class Decide(MethodView):
    @transactional
    @blp.arguments(BatchIn)
    @blp.response(200, BatchOut)
    def post(self, data):
        """Several decisions at once: `{"decisions":[{"id","version","action":"confirm"/"reject","reason"?}]}`.
        Each row is decided in its own savepoint; one refusal does not undo the others. Answers 200 with
        one result per row (`ok`, `status`, `message` or the promotion and certificate)."""
        user = require_user()
        results = promotion_review.decide_batch(data["decisions"], user)
        done = [r for r in results if r["ok"]]
        return {"results": results, "confirmed": sum(1 for r in done if r["action"] == "confirm"),
                "rejected": sum(1 for r in done if r["action"] == "reject"),
                "failed": len(results) - len(done)}


@blp.route("/policy-library")
class PolicyLibrary(MethodView):
    @login_required
    @blp.response(200, ReadyPolicyOut(many=True))
    def get(self):
        """Ready promotion policies following published rules, each naming its rule and source; the
        `policy` is ready to attach to a contest."""
        return [ready.to_dict() for ready in READY_POLICIES]
