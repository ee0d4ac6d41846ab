"""Column helpers shared by the models."""
from __future__ import annotations

import enum
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated

from sqlalchemy import DateTime, Enum, Numeric, String, TypeDecorator
from sqlalchemy.orm import mapped_column

from competition.clock import now


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class ExactDecimal(TypeDecorator):
    """NUMERIC with exact Decimal round-trips (SQLite would otherwise go through float)."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 12, scale: int = 4):
        super().__init__()
        self.impl = Numeric(precision, scale, asdecimal=True)  # type: ignore[assignment]  # the instance
        self._scale = scale

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value) if not isinstance(value, Decimal) else value


def str_enum(enum_class: type[enum.Enum], length: int = 16) -> Enum:
    """An enum stored as its string value (a VARCHAR, not a native database enum)."""
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(UTCDateTime, default=now, nullable=False)]
name200 = Annotated[str, mapped_column(String(200))]
code32 = Annotated[str, mapped_column(String(32))]
