"""Statuses as types: a `Status` is a `StrEnum` whose members carry their human label (Spanish source text,
translated where shown), and `StatusColumn` stores one as the plain string it always was.

A domain declares its statuses in its models.py:

    class DisputeStatus(Status):
        OPEN = "open", N_("Disputa abierta")
        ...

    status: DisputeStatus = Field(default=DisputeStatus.OPEN, sa_type=StatusColumn(DisputeStatus, 16))

A member equals its value (`DisputeStatus.OPEN == "open"`), so templates and JSON see the same strings as
before; a schema field typed with the enum lists the values in the OpenAPI document and refuses others."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class Status(StrEnum):
    """A status vocabulary. Declare each member as `NAME = "value", N_("Etiqueta")`."""

    _value_: str
    label: str  # Spanish source text: show it as `_(status.label)`

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """{value: label} in the declared order: what templates look a stored value up in."""
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a value (a member or its string); an unknown value is shown as it is."""
        member = cls._value2member_map_.get(value)
        return member.label if isinstance(member, Status) else value


class StatusColumn(TypeDecorator[Status]):
    """A status column: VARCHAR(length) in the database, a member of `enum` when read back. Assign members
    (SQLModel keeps what is assigned as it is). A query's value that is not a member is sent as given (a
    filter on an unknown status finds nothing, as before)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[Status], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Status | None:
        return None if value is None else self.enum(value)

    @property
    def python_type(self) -> type[Status]:
        return self.enum
