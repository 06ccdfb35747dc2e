"""The invoices (CFDI 4.0) the platform issues for the producers: one row per comprobante, from the moment
it is owed (por timbrar) until the PAC stamps it (timbrada) or refuses it (rechazada: the reason is kept for
the producer). A producer's part of an order has at most one invoice of each kind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from market.db import utcnow
from market.i18n import N_
from market.statuses import Status, StatusColumn


class InvoiceStatus(Status):
    POR_TIMBRAR = "por_timbrar", N_("Por timbrar")
    TIMBRADA = "timbrada", N_("Timbrada")
    RECHAZADA = "rechazada", N_("Rechazada")
    CANCELADA = "cancelada", N_("Cancelada")


class InvoiceKind(Status):
    """What the comprobante is: an ingreso for a part sold, later its payments (pago), credit notes
    (egreso), the month's global invoice to público en general and the platform's commission."""

    INGRESO = "ingreso", N_("Factura de ingreso")
    PAGO = "pago", N_("Complemento de pago")
    EGRESO = "egreso", N_("Nota de crédito")
    GLOBAL = "global", N_("Factura global")
    COMISION = "comision", N_("Factura de comisión")


class Invoice(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("fulfillment_id", "kind"),  # never issued twice for the same part
        UniqueConstraint("organization_id", "serie", "folio"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)  # the issuer
    fulfillment_id: int | None = Field(default=None, foreign_key="fulfillment.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    kind: InvoiceKind = Field(sa_type=StatusColumn(InvoiceKind, 16))
    status: InvoiceStatus = Field(
        default=InvoiceStatus.POR_TIMBRAR, sa_type=StatusColumn(InvoiceStatus, 16), index=True
    )
    uuid: str | None = Field(default=None, max_length=36, unique=True)  # the folio fiscal, once stamped
    serie: str | None = Field(default=None, max_length=25)
    folio: int | None = Field(default=None, sa_type=BigInteger)  # per issuer and serie, assigned once
    metodo_pago: str = Field(max_length=3)  # PUE (paid) | PPD (paid later)
    forma_pago: str = Field(max_length=2)  # c_FormaPago: 01 cash, 03 transfer, 04 card, 99 to be defined
    total_cents: int = Field(sa_type=BigInteger)
    signed_xml: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    stamped_xml: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    last_error: str | None = Field(default=None, max_length=2000)
    attempts: int = 0  # times the PAC could not be reached
    created_at: datetime = Field(default_factory=utcnow)
    stamped_at: datetime | None = None
