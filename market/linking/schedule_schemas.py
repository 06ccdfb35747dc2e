"""Requests and answers of an awarded demand's schedule (market.linking.schedules)."""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from market.bounds import MAX_QUANTITY
from market.linking.models import CallOffStatus, ScheduleStatus
from market.linking.schemas import Allocation
from market.validation import invalid


class ScheduleChange(BaseModel):
    """A new quantity per delivery for the deliveries not ordered yet: either `quantity`, the total split in
    proportion among the awarded producers, or `allocations`, a quantity for some of them (by quote)."""

    model_config = ConfigDict(extra="forbid")

    quantity: int | None = Field(default=None, gt=0, le=MAX_QUANTITY)
    allocations: list[Allocation] | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def one_of_them(self) -> Self:
        if self.quantity is None and self.allocations is None:
            raise invalid(
                "schedule_change_missing",
                "Indica la nueva cantidad: una cantidad total por entrega o una cantidad por organización.",
                field="quantity",
            )
        if self.quantity is not None and self.allocations is not None:
            raise invalid(
                "schedule_change_one",
                "Indica una cantidad total por entrega o una cantidad por organización, no ambas.",
                field="quantity",
            )
        return self


class DeliveryLinePublic(BaseModel):
    organization_id: int
    organization_name: str
    quantity: int


class DeliveryPublic(BaseModel):
    sequence: int
    due: date
    status: CallOffStatus
    order_id: int | None
    quantity: int  # what this person may see of it: the whole delivery, or the producer's own part
    lines: list[DeliveryLinePublic]


class SchedulePublic(BaseModel):
    demand_id: int
    status: ScheduleStatus
    paused_on: date | None
    quantity: int  # per delivery from now on, of what this person may see (the demand keeps what it asked)
    unit: str
    deliveries: list[DeliveryPublic]
