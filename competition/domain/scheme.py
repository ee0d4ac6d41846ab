"""Marking scheme: the contest → component → module → aspect tree (scoring.md, Marking scheme).

``build_scheme`` validates the body of ``PUT /contests/{id}/marking-scheme`` (api.md) and returns
frozen dataclasses; ``scheme_to_dict`` is its inverse. Errors are collected for the whole body and
raised together as ``SchemeError.errors``: ``{"components.0.modules.1.aspects.2.trim": [...]}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from .numbers import DecimalFormatError, parse_decimal

__all__ = [
    "AGGREGATES",
    "ASPECT_TYPES",
    "AspectDef",
    "ComponentDef",
    "MarkingScheme",
    "ModuleDef",
    "SchemeError",
    "build_scheme",
    "scheme_to_dict",
]

MEASUREMENT, JUDGEMENT, PANEL = "measurement", "judgement", "panel"
ASPECT_TYPES = (MEASUREMENT, JUDGEMENT, PANEL)
MEAN, MEDIAN, TRIMMED = "mean", "median", "trimmed"
AGGREGATES = (MEAN, MEDIAN, TRIMMED)

DEFAULT_PANEL_SIZE = {JUDGEMENT: 3, PANEL: 5}
DEFAULT_TRIM = 1
DEFAULT_JUDGEMENT_MAX_SPREAD = Decimal(1)
TOTAL_WEIGHT = Decimal(100)
MARK_PLACES = 2
MAX_PANEL_SIZE = 50
MAX_CODE_LENGTH = 32
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000

_SCHEME_FIELDS = frozenset({"components"})
_COMPONENT_FIELDS = frozenset({"code", "name", "weight", "modules"})
_MODULE_FIELDS = frozenset({"code", "name", "aspects"})
_ASPECT_FIELDS = frozenset(
    {"code", "name", "type", "max_mark", "panel_size", "aggregate", "trim", "max_spread", "description"}
)
_CODE_PUNCTUATION = frozenset("._-")


@dataclass(frozen=True)
class AspectDef:
    """The unit judges mark. Type-specific settings are always filled in (defaults applied):
    measurement: panel_size 1, aggregate None, trim 0, max_spread None;
    judgement: aggregate None, trim 0, max_spread default 1; panel: trim 0 unless aggregate is trimmed.
    """

    code: str
    name: str
    type: str
    max_mark: Decimal
    panel_size: int
    aggregate: str | None
    trim: int
    max_spread: Decimal | None
    description: str = ""


@dataclass(frozen=True)
class ModuleDef:
    """What a chief judge locks: a group of aspects."""

    code: str
    name: str
    aspects: tuple[AspectDef, ...]

    @property
    def max_mark(self) -> Decimal:
        return sum((a.max_mark for a in self.aspects), Decimal(0))


@dataclass(frozen=True)
class ComponentDef:
    """A weighted part of the total; its maximum is the sum of its aspects' max_mark."""

    code: str
    name: str
    weight: Decimal
    modules: tuple[ModuleDef, ...]

    @property
    def max_mark(self) -> Decimal:
        return sum((m.max_mark for m in self.modules), Decimal(0))


@dataclass(frozen=True)
class MarkingScheme:
    """A validated scheme; lookups by code raise ``KeyError`` for unknown codes."""

    components: tuple[ComponentDef, ...]

    def aspects(self) -> Iterator[tuple[ComponentDef, ModuleDef, AspectDef]]:
        """Every aspect with its component and module, in scheme order."""
        for component, module in self.modules():
            for aspect in module.aspects:
                yield component, module, aspect

    def modules(self) -> Iterator[tuple[ComponentDef, ModuleDef]]:
        """Every module with its component, in scheme order."""
        for component in self.components:
            for module in component.modules:
                yield component, module

    def component(self, code: str) -> ComponentDef:
        return self._components_by_code[code]

    def module(self, code: str) -> ModuleDef:
        return self._modules_by_code[code][1]

    def aspect(self, code: str) -> AspectDef:
        return self._aspects_by_code[code][2]

    def module_of(self, aspect_code: str) -> ModuleDef:
        return self._aspects_by_code[aspect_code][1]

    def component_of(self, aspect_code: str) -> ComponentDef:
        return self._aspects_by_code[aspect_code][0]

    def component_of_module(self, module_code: str) -> ComponentDef:
        return self._modules_by_code[module_code][0]

    def component_max(self, code: str) -> Decimal:
        return self.component(code).max_mark

    def module_max(self, code: str) -> Decimal:
        return self.module(code).max_mark

    @property
    def aspect_count(self) -> int:
        return len(self._aspects_by_code)

    @cached_property
    def _components_by_code(self) -> dict[str, ComponentDef]:
        return {c.code: c for c in self.components}

    @cached_property
    def _modules_by_code(self) -> dict[str, tuple[ComponentDef, ModuleDef]]:
        return {m.code: (c, m) for c, m in self.modules()}

    @cached_property
    def _aspects_by_code(self) -> dict[str, tuple[ComponentDef, ModuleDef, AspectDef]]:
        return {a.code: (c, m, a) for c, m, a in self.aspects()}


class SchemeError(ValueError):
    """An invalid marking scheme (422). ``errors`` maps a field path to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid marking scheme: " + "; ".join(f"{p}: {', '.join(m)}" for p, m in errors.items()))
        self.errors = errors


def build_scheme(data: object) -> MarkingScheme:
    """Validate a JSON-shaped scheme (api.md, PUT marking-scheme) and apply the defaults.

    Rules (scoring.md): weights are percents summing to 100; component, module and aspect codes are
    each unique across the scheme (a module may share a code with a component); max_mark > 0 with at
    most 2 decimals; judgement panel_size defaults to 3 and max_spread to 1; panel panel_size
    defaults to 5, aggregate to "trimmed" and trim to 1, and a trimmed panel needs
    panel_size > 2 × trim; a measurement has one shared value (panel_size 1). Settings that do not
    apply to a type are refused, as are unknown fields (api.md). ``null`` means "not given".
    """
    v = _Validator()
    obj = v.fields(data, "", _SCHEME_FIELDS)
    components = v.items(obj, "components", "", "component", v.component) if obj is not None else []
    if v.weights and None not in v.weights:
        total = sum((weight for weight in v.weights if weight is not None), Decimal(0))
        if total != TOTAL_WEIGHT:
            v.add("components", f"component weights must sum to 100 (they sum to {total:f})")
    if v.errors:
        raise SchemeError(v.errors)
    return MarkingScheme(tuple(components))


def scheme_to_dict(scheme: MarkingScheme) -> dict[str, Any]:
    """The JSON shape of a scheme, decimals as strings; ``build_scheme`` of it gives it back."""
    return {
        "components": [
            {
                "code": c.code,
                "name": c.name,
                "weight": format(c.weight, "f"),
                "modules": [
                    {"code": m.code, "name": m.name, "aspects": [_aspect_to_dict(a) for a in m.aspects]}
                    for m in c.modules
                ],
            }
            for c in scheme.components
        ]
    }


def _aspect_to_dict(a: AspectDef) -> dict[str, Any]:
    return {
        "code": a.code,
        "name": a.name,
        "type": a.type,
        "max_mark": format(a.max_mark, "f"),
        "panel_size": a.panel_size,
        "aggregate": a.aggregate,
        "trim": a.trim if a.aggregate == TRIMMED else None,
        "max_spread": None if a.max_spread is None else format(a.max_spread, "f"),
        "description": a.description,
    }


class _Validator:
    """Walks the input, collecting ``path -> messages`` instead of stopping at the first error."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self._seen_codes: dict[str, dict[str, str]] = {"component": {}, "module": {}, "aspect": {}}
        self.weights: list[Decimal | None] = []  # every component's, for the sum-to-100 rule

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path or "_schema", []).append(message)

    def clean(self, path: str) -> bool:
        """True when nothing at or under ``path`` has been reported."""
        return not any(p == path or p.startswith(path + ".") for p in self.errors)

    # --- tree: each builder returns None when anything under its path is invalid ----------------

    def component(self, raw: object, path: str) -> ComponentDef | None:
        obj = self.fields(raw, path, _COMPONENT_FIELDS)
        if obj is None:
            self.weights.append(None)
            return None
        code = self.code(obj, path, "component")
        name = self.text(obj, path, "name", MAX_NAME_LENGTH, required=True)
        weight = self.decimal(obj, path, "weight", required=True, positive=True)
        self.weights.append(weight)
        modules = self.items(obj, "modules", path, "module", self.module)
        if not self.clean(path) or code is None or name is None or weight is None:  # None: reported
            return None
        return ComponentDef(code, name, weight, tuple(modules))

    def module(self, raw: object, path: str) -> ModuleDef | None:
        obj = self.fields(raw, path, _MODULE_FIELDS)
        if obj is None:
            return None
        code = self.code(obj, path, "module")
        name = self.text(obj, path, "name", MAX_NAME_LENGTH, required=True)
        aspects = self.items(obj, "aspects", path, "aspect", self.aspect)
        if not self.clean(path) or code is None or name is None:  # None: reported
            return None
        return ModuleDef(code, name, tuple(aspects))

    def aspect(self, raw: object, path: str) -> AspectDef | None:
        obj = self.fields(raw, path, _ASPECT_FIELDS)
        if obj is None:
            return None
        code = self.code(obj, path, "aspect")
        name = self.text(obj, path, "name", MAX_NAME_LENGTH, required=True)
        description = self.text(obj, path, "description", MAX_DESCRIPTION_LENGTH, required=False)
        max_mark = self.decimal(obj, path, "max_mark", required=True, positive=True)
        kind = obj.get("type")
        if kind not in ASPECT_TYPES:
            self.add(_join(path, "type"), "required" if kind is None else "must be one of: " + ", ".join(ASPECT_TYPES))
            return None
        settings = {MEASUREMENT: self.measurement, JUDGEMENT: self.judgement, PANEL: self.panel}[kind](obj, path)
        panel_size, aggregate, trim, max_spread = settings
        if (not self.clean(path) or code is None or name is None or description is None or max_mark is None
                or panel_size is None or trim is None):  # None: reported
            return None
        return AspectDef(code, name, kind, max_mark, panel_size, aggregate, trim, max_spread, description)

    # --- type-specific settings: (panel_size, aggregate, trim, max_spread) ----------------------

    def measurement(self, obj: Mapping[str, Any], path: str) -> tuple[int, None, int, None]:
        """One judge enters one shared value per competitor: panel_size is 1."""
        self.not_applicable(obj, path, ("aggregate", "trim", "max_spread"), MEASUREMENT)
        if obj.get("panel_size") not in (None, 1) or isinstance(obj.get("panel_size"), bool):
            self.add(_join(path, "panel_size"), "a measurement has one shared value: panel_size must be 1")
        return 1, None, 0, None

    def judgement(self, obj: Mapping[str, Any], path: str) -> tuple[int | None, None, int, Decimal | None]:
        """Integer values 0..3 from panel_size judges (default 3); spread limit max_spread (default 1)."""
        self.not_applicable(obj, path, ("aggregate", "trim"), JUDGEMENT)
        panel_size = self.integer(obj, path, "panel_size", DEFAULT_PANEL_SIZE[JUDGEMENT], 1, MAX_PANEL_SIZE)
        max_spread = self.decimal(obj, path, "max_spread", default=DEFAULT_JUDGEMENT_MAX_SPREAD)
        return panel_size, None, 0, max_spread

    def panel(self, obj: Mapping[str, Any], path: str) -> tuple[int | None, str, int | None, Decimal | None]:
        """Decimal values from panel_size judges (default 5), aggregated (default trimmed, trim 1);
        a trimmed panel needs panel_size > 2 × trim; max_spread is optional."""
        panel_size = self.integer(obj, path, "panel_size", DEFAULT_PANEL_SIZE[PANEL], 1, MAX_PANEL_SIZE)
        max_spread = self.decimal(obj, path, "max_spread")
        aggregate = obj.get("aggregate")
        if aggregate is None:
            aggregate = TRIMMED
        if aggregate not in AGGREGATES:
            self.add(_join(path, "aggregate"), "must be one of: " + ", ".join(AGGREGATES))
        if aggregate != TRIMMED:
            if obj.get("trim") is not None:
                self.add(_join(path, "trim"), f"trim applies only to aggregate '{TRIMMED}'")
            return panel_size, aggregate, 0, max_spread
        trim = self.integer(obj, path, "trim", DEFAULT_TRIM, 1, MAX_PANEL_SIZE)
        if trim is not None and panel_size is not None and panel_size <= 2 * trim:
            self.add(
                _join(path, "trim"),
                f"a trimmed panel drops the {trim} highest and {trim} lowest values, "
                f"so panel_size must be more than {2 * trim} (it is {panel_size})",
            )
        return panel_size, aggregate, trim, max_spread

    # --- fields ---------------------------------------------------------------------------------

    def fields(self, raw: object, path: str, allowed: frozenset[str]) -> Mapping[str, Any] | None:
        """``raw`` as an object; unknown fields are errors (api.md: they are rejected)."""
        if not isinstance(raw, Mapping):
            self.add(path, "must be an object")
            return None
        for key in raw:
            if key not in allowed:
                self.add(_join(path, str(key)), "unknown field")
        return raw

    def items(self, obj: Mapping[str, Any], key: str, path: str, what: str, build: Any) -> list[Any]:
        """Validate a non-empty list field, building each element with ``build(raw, path)``."""
        raw, list_path = obj.get(key), _join(path, key)
        if raw is None:
            self.add(list_path, "required")
            return []
        if not isinstance(raw, list):
            self.add(list_path, "must be a list")
            return []
        if not raw:
            self.add(list_path, f"must list at least one {what}")
        return [build(item, _join(list_path, str(i))) for i, item in enumerate(raw)]

    def code(self, obj: Mapping[str, Any], path: str, kind: str) -> str | None:
        """1..32 letters, digits, '.', '_' or '-' (codes appear in URLs), unique for its kind."""
        value, field_path = obj.get("code"), _join(path, "code")
        if value is None:
            self.add(field_path, "required")
            return None
        if not isinstance(value, str):
            self.add(field_path, "must be a string")
            return None
        if not 1 <= len(value) <= MAX_CODE_LENGTH:
            self.add(field_path, f"must be 1 to {MAX_CODE_LENGTH} characters")
            return None
        if not all(ch.isascii() and (ch.isalnum() or ch in _CODE_PUNCTUATION) for ch in value):
            self.add(field_path, "may contain only letters, digits, '.', '_' and '-'")
            return None
        seen = self._seen_codes[kind]
        if value in seen:
            self.add(field_path, f"duplicate {kind} code '{value}' (first used at {seen[value]})")
            return None
        seen[value] = field_path
        return value

    def text(self, obj: Mapping[str, Any], path: str, key: str, limit: int, *, required: bool) -> str | None:
        """A name (required, 1..limit characters after trimming) or description (optional)."""
        value, field_path = obj.get(key), _join(path, key)
        if value is None:
            if required:
                self.add(field_path, "required")
                return None
            return ""
        if not isinstance(value, str):
            self.add(field_path, "must be a string")
            return None
        value = value.strip()
        if required and not value:
            self.add(field_path, "must not be blank")
            return None
        if len(value) > limit:
            self.add(field_path, f"must be at most {limit} characters")
            return None
        return value

    def decimal(
        self,
        obj: Mapping[str, Any],
        path: str,
        key: str,
        *,
        required: bool = False,
        positive: bool = False,
        default: Decimal | None = None,
    ) -> Decimal | None:
        """A decimal with at most 2 places, > 0 if ``positive`` else >= 0; ``default`` if absent."""
        value, field_path = obj.get(key), _join(path, key)
        if value is None:
            if required:
                self.add(field_path, "required")
            return default
        try:
            number = parse_decimal(value, max_places=MARK_PLACES)
        except DecimalFormatError as exc:
            self.add(field_path, str(exc))
            return None
        if positive and number <= 0:
            self.add(field_path, "must be greater than 0")
            return None
        if number < 0:
            self.add(field_path, "must not be negative")
            return None
        return number

    def integer(self, obj: Mapping[str, Any], path: str, key: str, default: int, low: int, high: int) -> int | None:
        """A whole number in [low, high] (an int, or a string of digits from a spreadsheet)."""
        value, field_path = obj.get(key), _join(path, key)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            try:
                value = int(value.strip())
            except ValueError:  # more digits than int() converts: out of range all the same
                self.add(field_path, f"must be between {low} and {high}")
                return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field_path, "must be a whole number")
            return None
        if not low <= value <= high:
            self.add(field_path, f"must be between {low} and {high}")
            return None
        return value

    def not_applicable(self, obj: Mapping[str, Any], path: str, keys: tuple[str, ...], kind: str) -> None:
        """Refuse settings that mean nothing for this aspect type."""
        for key in keys:
            if obj.get(key) is not None:
                self.add(_join(path, key), f"not used by {kind} aspects")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
