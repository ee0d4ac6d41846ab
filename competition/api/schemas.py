"""Shared marshmallow building blocks: strict input schemas, bounded ids, decimals as strings, length
limits."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import marshmallow as ma
from marshmallow import INCLUDE, RAISE, fields, validate

from competition.database import MAX_ID

NAME = validate.Length(min=1, max=200)
CODE = validate.Length(min=1, max=32)
# The codes of api.md (enterprise, component, module, aspect, award, bib, marking number): 1-32 of A-Z a-z 0-9 . _ -
SYMBOL = validate.Regexp(r"[A-Za-z0-9._-]{1,32}\Z", error="Must be 1 to 32 characters of A-Z a-z 0-9 . _ -.")
REASON = validate.Length(min=1, max=2000)
DESCRIPTION = validate.Length(max=2000)


class Strict(ma.Schema):
    """Input schema: unknown fields are a 422 (api.md, Conventions)."""

    class Meta:
        unknown = RAISE
        ordered = True


class Out(ma.Schema):
    class Meta:
        ordered = True


class Id(fields.Integer):
    """An integer key in a request (an id, a version number): MIN .. MAX_ID, the database's integers.

    A larger number would overflow the database query (a 500); here it is a 422 naming the field, and
    the OpenAPI document shows the bounds. `minimum=0` where 0 has a meaning (an expected version
    "none yet"). Bodies pass strict=True (a JSON number, not a string); query parameters cannot. Further
    validators may be given with `validate` as usual."""

    def __init__(self, *, minimum: int = 1, **kwargs):
        extra = kwargs.pop("validate", None)
        extra = [] if extra is None else list(extra) if isinstance(extra, (list, tuple)) else [extra]
        super().__init__(validate=[validate.Range(minimum, MAX_ID), *extra], **kwargs)


class DecimalString(fields.Field):
    """A decimal that travels as a string ("82.20"); input may be a string or a JSON number."""

    default_error_messages = {"invalid": "Not a valid decimal number."}

    def __init__(self, places: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.places = places
        self.metadata.setdefault("type", "string")
        self.metadata.setdefault("pattern", r"^-?\d+(\.\d+)?$")
        self.metadata.setdefault("example", "82.20")

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if self.places is not None:
            value = Decimal(value).quantize(Decimal(1).scaleb(-self.places))
        return str(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.make_error("invalid")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise self.make_error("invalid") from exc
        if not number.is_finite():
            raise self.make_error("invalid")
        return number

    def _jsonschema_type_mapping(self):  # apispec: document as string
        return {"type": "string"}


class ErrorSchema(Out):
    """The error body of api.md. A refusal by a marking or contest rule adds `reason`, a stable
    machine-readable name of the cause (pages word it in the user's language), and some add context
    (a stale mark's current `mark`), hence further properties are allowed."""

    class Meta:
        ordered = True
        unknown = INCLUDE

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Raw(metadata={"description": "Field-level errors (or import rows)"})
    reason = fields.String(metadata={"description": "Why a rule refused, e.g. module_locked, stale_version, "
                                                   "not_ready_for_final"})
