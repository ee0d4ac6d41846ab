"""People of an enterprise (employees and students) and the grade each holds per occupation."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.clock import now
from competition.extensions import db
from competition.models.base import UTCDateTime, created_at, intpk, name200

if TYPE_CHECKING:
    from competition.models.enterprise import Enterprise
    from competition.models.occupation import Occupation


class Person(db.Model):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "person_no"),
        UniqueConstraint("enterprise_id", "id_type", "id_number"),
    )

    id: Mapped[intpk]
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    person_no: Mapped[str] = mapped_column(String(32))  # 工号 / 学号
    name: Mapped[name200]
    id_type: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # employee | student
    phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    enterprise: Mapped[Enterprise] = relationship()
    grades: Mapped[list[PersonGrade]] = relationship(back_populates="person", cascade="all, delete-orphan",
                                                     lazy="selectin")


class PersonGrade(db.Model):
    """The grade a person holds in one occupation, as a code of their employer's grade scheme."""

    __tablename__ = "person_grades"
    __table_args__ = (UniqueConstraint("person_id", "occupation_id"),)

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    occupation_id: Mapped[int] = mapped_column(ForeignKey("occupations.id"), index=True)
    grade_code: Mapped[str] = mapped_column(String(32), index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    source: Mapped[str] = mapped_column(String(32), default="hr")  # hr | import | promotion

    person: Mapped[Person] = relationship(back_populates="grades")
    occupation: Mapped[Occupation] = relationship(lazy="joined")
