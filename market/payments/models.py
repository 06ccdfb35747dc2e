"""Payments, refunds, payouts and the provider's webhook events (stored once by their id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from market.db import utcnow
from market.i18n import N_
from market.statuses import Status, StatusColumn


class PaymentStatus(Status):
    """How far along a provider's payment is; it only ever moves forward."""

    PENDING = "pending", N_("Esperando pago")
    REQUIRES_ACTION = "requires_action", N_("Esperando que quien compra pague la ficha o la transferencia")
    PROCESSING = "processing", N_("En proceso")
    FAILED = "failed", N_("Pago fallido")
    SUCCEEDED = "succeeded", N_("Pagado")
    DISPUTED = "disputed", N_("En contracargo")
    DISPUTE_WON = "dispute_won", N_("Contracargo ganado")
    DISPUTE_LOST = "dispute_lost", N_("Contracargo perdido")


class RefundStatus(Status):
    """Money going back to the buyer: waiting to be sent, sent, or refused by the provider."""

    PENDING = "pending", N_("Reembolso por enviar")
    SUCCEEDED = "succeeded", N_("Reembolso enviado")
    FAILED = "failed", N_("Reembolso fallido")


class Payment(SQLModel, table=True):
    """What the buyer pays for one order, through one provider."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", unique=True)
    provider: str = Field(max_length=16)  # stripe | offline
    method: str = Field(max_length=24)
    status: PaymentStatus = Field(
        default=PaymentStatus.PENDING, sa_type=StatusColumn(PaymentStatus, 24), index=True
    )
    amount_cents: int = Field(sa_type=BigInteger)
    intent_id: str | None = Field(default=None, max_length=64, unique=True)  # Stripe PaymentIntent
    client_secret: str | None = Field(default=None, max_length=128)
    charge_id: str | None = Field(default=None, max_length=64, index=True)
    reference: str | None = Field(default=None, max_length=80)  # what ties the money to the order
    # What the buyer needs to pay a voucher or a transfer (OXXO number, CLABE, hosted page, expiry).
    instructions: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Refund(SQLModel, table=True):
    """A fulfillment's share going back to the buyer: by Stripe, or by an administrator's SPEI transfer."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    fulfillment_id: int | None = Field(default=None, foreign_key="fulfillment.id", unique=True)
    amount_cents: int = Field(sa_type=BigInteger)
    provider: str = Field(max_length=16)
    status: RefundStatus = Field(
        default=RefundStatus.PENDING, sa_type=StatusColumn(RefundStatus, 16), index=True
    )
    provider_ref: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class PayoutStatus(Status):
    """A payout in a dispersion file waits for the bank's result; any other payout was sent when recorded."""

    PENDING = "pending", N_("Enviado al banco, en espera del resultado")
    SENT = "sent", N_("Enviado")
    FAILED = "failed", N_("Rechazado por el banco")


class DispersionStatus(Status):
    """A dispersion file waits for the bank's result until every one of its payouts is settled."""

    AWAITING_RESULT = "awaiting_result", N_("Esperando el resultado del banco")
    SETTLED = "settled", N_("Conciliada")


class Dispersion(SQLModel, table=True):
    """One file of SPEI transfers for the bank's business portal, kept as generated: downloading it again
    gives the same bytes."""

    id: int | None = Field(default=None, primary_key=True)
    status: DispersionStatus = Field(
        default=DispersionStatus.AWAITING_RESULT, sa_type=StatusColumn(DispersionStatus, 16), index=True
    )
    layout: str = Field(max_length=32)  # which bank layout the file follows
    filename: str = Field(max_length=80)
    content: str = Field(sa_type=Text)  # the file, ASCII
    total_cents: int = Field(sa_type=BigInteger)
    line_count: int
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    settled_at: datetime | None = None


class Payout(SQLModel, table=True):
    """Money sent to an organization: a Stripe transfer to its connected account, or a manual SPEI (by hand,
    or as one line of a dispersion file, pending until the bank's result says sent or failed)."""

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    amount_cents: int = Field(sa_type=BigInteger)
    method: str = Field(max_length=16)  # stripe_transfer | spei
    reference: str = Field(max_length=80)  # SPEI tracking key, or the Stripe transfer id
    clabe: str | None = Field(default=None, max_length=18)
    fulfillment_id: int | None = Field(default=None, foreign_key="fulfillment.id", unique=True)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, index=True)
    status: PayoutStatus = Field(
        default=PayoutStatus.SENT, sa_type=StatusColumn(PayoutStatus, 16), index=True
    )
    dispersion_id: int | None = Field(default=None, foreign_key="dispersion.id", index=True)
    tracking_key: str | None = Field(default=None, max_length=30)  # the bank's clave de rastreo
    failure_reason: str | None = Field(default=None, max_length=200)  # the bank's words
    settled_at: datetime | None = None


class TransferRequest(SQLModel, table=True):
    """A completed part whose share was sent for a Stripe transfer (its organization's payouts were enabled
    then): until its Payout exists, that money is on its way and not for a SPEI payout too. A part without
    one is paid by SPEI, even if its organization's payouts were enabled later."""

    id: int | None = Field(default=None, primary_key=True)
    fulfillment_id: int = Field(foreign_key="fulfillment.id", unique=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class WebhookEvent(SQLModel, table=True):
    """A provider's event, stored by its id before anything else: a replay finds it and changes nothing."""

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=16)
    event_id: str = Field(max_length=80, unique=True)
    type: str = Field(max_length=80)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = None
