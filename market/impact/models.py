"""The impact figures kept as running sums (see market.impact.rollup): one row per month, organization and
what the figures group its sales by, so that the public figures read rows that grow with months and
organizations, never with sales."""

from __future__ import annotations

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

# What a row is keyed by: the sale's month and producer as it was when it sold, and who bought.
KEY = (
    "month",
    "organization_id",
    "state",
    "legal_form",
    "women_led",
    "indigenous",
    "certifications",
    "sdgs",
    "institutional",
)
# What it sums, in the order of market.impact.rollup.figures_of.
SUMS = (
    "sales",
    "counted",
    "unpaid_sales",
    "gross_cents",
    "refunded_cents",
    "paid_cents",
    "unpaid_cents",
    "fee_cents",
    "producer_cents",
    "cost_cents",
)


class ImpactRollup(SQLModel, table=True):
    __tablename__ = "impact_rollup"
    __table_args__ = (UniqueConstraint(*KEY, name="uq_impact_rollup_key"),)

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7)  # "2026-03", in central Mexico's time
    organization_id: int = Field(foreign_key="organization.id", index=True)
    state: str = Field(max_length=2)
    legal_form: str = Field(max_length=32)
    women_led: bool
    indigenous: bool
    certifications: str = Field(max_length=400)  # the codes joined by ";" (as the sale listed them)
    sdgs: str = Field(max_length=80)  # the numbers joined by ";"
    institutional: bool
    sales: int = 0  # parts sold (a part refunded in full too)
    counted: int = 0  # of which moved money (paid_cents > 0): only these count in paid, fee and producer
    unpaid_sales: int = 0
    gross_cents: int = Field(default=0, sa_type=BigInteger)
    refunded_cents: int = Field(default=0, sa_type=BigInteger)
    paid_cents: int = Field(default=0, sa_type=BigInteger)
    unpaid_cents: int = Field(default=0, sa_type=BigInteger)
    fee_cents: int = Field(default=0, sa_type=BigInteger)
    producer_cents: int = Field(default=0, sa_type=BigInteger)
    cost_cents: int = Field(default=0, sa_type=BigInteger)
