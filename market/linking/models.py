"""Productive linking: institutions that buy (schools, hospitals, offices, companies, cooperatives), their
demands, the producers' quotes, the awards that turn into orders, and the conversations around them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from market.db import utcnow
from market.i18n import N_
from market.organizations.models import VerificationStatus, invitation_expiry
from market.statuses import Status, StatusColumn


class DemandStatus(Status):
    """draft → open (receiving quotes) → closed (past the deadline) → awarded; or cancelled."""

    DRAFT = "draft", N_("Borrador")
    OPEN = "open", N_("Recibiendo cotizaciones")
    CLOSED = "closed", N_("Cotizaciones cerradas")
    AWARDED = "awarded", N_("Adjudicada")
    CANCELLED = "cancelled", N_("Cancelada")


class QuoteStatus(Status):
    """A producer's quote: standing until it withdraws it or the buyer awards the demand."""

    SUBMITTED = "submitted", N_("Enviada")
    WITHDRAWN = "withdrawn", N_("Retirada")
    AWARDED = "awarded", N_("Elegida")
    DECLINED = "declined", N_("No elegida")


class ApprovalStatus(Status):
    """An award above the institution's amount waits for a second owner: pending → approved | rejected."""

    PENDING = "pending", N_("Pendiente de aprobación")
    APPROVED = "approved", N_("Aprobada")
    REJECTED = "rejected", N_("Rechazada")


class ScheduleStatus(Status):
    """The deliveries of an awarded demand: running; paused by the institution (no order is placed, and
    the deliveries due meanwhile are skipped when it resumes); or ended (the rest is cancelled)."""

    ACTIVE = "active", N_("Entregas en curso")
    PAUSED = "paused", N_("Entregas en pausa")
    ENDED = "ended", N_("Terminada")


class CallOffStatus(Status):
    """One delivery: scheduled until its order is placed; or skipped, or cancelled when the schedule ends."""

    SCHEDULED = "scheduled", N_("Programada")
    PLACED = "placed", N_("Pedido hecho")
    SKIPPED = "skipped", N_("Omitida")
    CANCELLED = "cancelled", N_("Cancelada")


class BuyerOrganization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    name: str = Field(max_length=160)
    kind: str = Field(max_length=16)  # government | school | hospital | company | cooperative | ngo
    # Fiscal data for the CFDI (the SAT's electronic invoice).
    rfc: str = Field(max_length=13)
    razon_social: str = Field(max_length=254)
    regimen_fiscal: str = Field(max_length=3)  # SAT catalogue c_RegimenFiscal, e.g. 603
    codigo_postal: str = Field(max_length=5)
    uso_cfdi: str = Field(max_length=4)  # SAT catalogue c_UsoCFDI, e.g. G03
    state: str = Field(max_length=2)  # INEGI code
    municipality: str = Field(max_length=120)
    # A cooperative that also sells: its producer organization, so it can buy from its peers.
    producer_organization_id: int | None = Field(default=None, foreign_key="organization.id")
    verification_status: VerificationStatus = Field(
        default=VerificationStatus.PENDING, sa_type=StatusColumn(VerificationStatus, 16), index=True
    )
    rejection_reason: str | None = Field(default=None, max_length=1000)
    verified_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # How it buys: every demand names its budget line (partida), and awards above this amount (centavos, the
    # whole award over every delivery) need a second owner's approval (None: no second approval).
    partida_required: bool = False
    approval_threshold_cents: int | None = Field(default=None, sa_type=BigInteger)

    def needs_second_approval(self, total_cents: int) -> bool:
        return self.approval_threshold_cents is not None and total_cents > self.approval_threshold_cents


class BuyerMembership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "buyer_organization_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    buyer_organization_id: int = Field(foreign_key="buyerorganization.id", index=True, ondelete="CASCADE")
    role: str = Field(default="member", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class BuyerInvitation(SQLModel, table=True):
    """An owner's invitation to join an institution: a link to one e-mail address that its holder accepts
    (market/organizations/invitations.py, like an organization's `Invitation`)."""

    id: int | None = Field(default=None, primary_key=True)
    buyer_organization_id: int = Field(foreign_key="buyerorganization.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=254, index=True)
    role: str = Field(default="member", max_length=16)
    token: str = Field(max_length=64, unique=True)
    invited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(default_factory=invitation_expiry)
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None  # an owner took it back (or a newer invitation replaced it)

    def is_pending(self, now: datetime) -> bool:
        """It may still be accepted: neither used, nor revoked, nor expired."""
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


class Demand(SQLModel, table=True):
    """A request for quotation: what, how much, where and when, and what the buyer prefers."""

    id: int | None = Field(default=None, primary_key=True)
    buyer_organization_id: int = Field(foreign_key="buyerorganization.id", index=True)
    created_by: int = Field(foreign_key="user.id")
    title: str = Field(max_length=140)
    description: str = Field(default="", max_length=5000)
    category: str = Field(max_length=40, index=True)
    quantity: int = Field(sa_type=BigInteger)  # per delivery
    unit: str = Field(max_length=16)
    delivery_state: str = Field(max_length=2, index=True)
    delivery_municipality: str = Field(max_length=120)
    delivery_address: str = Field(max_length=300)
    first_delivery: date
    every_days: int | None = None  # a recurring demand: one delivery every N days...
    deliveries: int = 1  # ...this many times
    quote_deadline: datetime
    max_unit_price_cents: int | None = Field(default=None, sa_type=BigInteger)
    required_certifications: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    preferred_legal_forms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    women_led_only: bool = False
    max_distance_km: int | None = None
    visibility: str = Field(default="public", max_length=8)  # public | invited
    status: DemandStatus = Field(
        default=DemandStatus.DRAFT, sa_type=StatusColumn(DemandStatus, 12), index=True
    )
    purchase_order: str | None = Field(default=None, max_length=20, unique=True)
    # The budget line it is paid from: a code of the Clasificador por Objeto del Gasto, and what it says.
    partida_code: str | None = Field(default=None, max_length=5)
    partida_description: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    opened_at: datetime | None = None
    # Its deliveries once awarded (market.linking.schedules): running, paused since a day, or ended.
    schedule_status: ScheduleStatus = Field(
        default=ScheduleStatus.ACTIVE, sa_type=StatusColumn(ScheduleStatus, 8)
    )
    paused_on: date | None = None

    @property
    def places_call_offs(self) -> bool:
        """Awarded, and its schedule neither paused nor ended: the worker places its deliveries' orders."""
        return self.status == DemandStatus.AWARDED and self.schedule_status == ScheduleStatus.ACTIVE

    def accepts_quotes(self, now: datetime | None = None) -> bool:
        """Open, and its quote deadline not yet past: producers may send, revise or withdraw a quote, and the
        buyer may not award yet."""
        return self.status == DemandStatus.OPEN and self.quote_deadline > (now or utcnow())

    @property
    def quoting(self) -> bool:
        """Open or closed: its quotes stand, for the buyer to compare and, once the deadline passed, award."""
        return self.status in (DemandStatus.OPEN, DemandStatus.CLOSED)

    def awardable(self, now: datetime | None = None) -> bool:
        """The buyer may award it now: its quotes stand and no more may come."""
        return self.quoting and not self.accepts_quotes(now)


class DemandInvitation(SQLModel, table=True):
    """A producer invited to an invited-only demand, or told about a public one it fits."""

    __table_args__ = (UniqueConstraint("demand_id", "organization_id"),)

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True)
    invited: bool = False  # chosen by the buyer (False: found by matching)
    fit: int = 0  # the matching score when it was found


class Quote(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("demand_id", "organization_id"),)

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    created_by: int = Field(foreign_key="user.id")
    unit_price_cents: int = Field(sa_type=BigInteger)
    quantity: int = Field(sa_type=BigInteger)  # per delivery; partial supply is normal
    delivery_note: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=2000)
    status: QuoteStatus = Field(default=QuoteStatus.SUBMITTED, sa_type=StatusColumn(QuoteStatus, 12))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Award(SQLModel, table=True):
    """How much of one quote the buyer took, per delivery, at the quoted price."""

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    quote_id: int = Field(foreign_key="quote.id", unique=True)
    quantity: int = Field(sa_type=BigInteger)
    unit_price_cents: int = Field(sa_type=BigInteger)


class AwardApproval(SQLModel, table=True):
    """An award proposed by one owner or member and waiting for (or decided by) a different owner; the
    allocations are kept as proposed ([{quote_id, quantity}]) and are checked again when approved."""

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    proposed_by: int = Field(foreign_key="user.id")
    allocations: list[dict[str, int]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    total_cents: int = Field(sa_type=BigInteger)  # over every delivery
    status: ApprovalStatus = Field(
        default=ApprovalStatus.PENDING, sa_type=StatusColumn(ApprovalStatus, 12), index=True
    )
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    reason: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)


class CallOff(SQLModel, table=True):
    """One delivery of an awarded demand: its order is placed when it falls due (the first one at once)."""

    __table_args__ = (UniqueConstraint("demand_id", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    sequence: int
    due: date = Field(index=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id")
    status: CallOffStatus = Field(
        default=CallOffStatus.SCHEDULED, sa_type=StatusColumn(CallOffStatus, 10), index=True
    )


class Message(SQLModel, table=True):
    """A thread per (demand, producer) and one per fulfillment; the buyer and the producer write in it."""

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int | None = Field(default=None, foreign_key="demand.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    fulfillment_id: int | None = Field(default=None, foreign_key="fulfillment.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow)
