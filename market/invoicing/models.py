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


# c_MotivoCancelacion, by code: why a stamped CFDI is cancelled.
CANCEL_MOTIVES: dict[str, str] = {
    "01": N_("Comprobante emitido con errores con relación"),
    "02": N_("Comprobante emitido con errores sin relación"),
    "03": N_("No se llevó a cabo la operación"),
    "04": N_("Operación nominativa relacionada en una factura global"),
}

CANCEL_BY_OWNER = ("01", "02", "03")  # 04 is for a part taken out of a global invoice, never chosen by hand


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
        UniqueConstraint("organization_id", "kind", "period"),  # one global / commission invoice a month
    )

    id: int | None = Field(default=None, primary_key=True)
    # The issuer; for the platform's commission invoice (kind comision), the producer it is issued to.
    organization_id: int = Field(foreign_key="organization.id", index=True)
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
    period: str | None = Field(default=None, max_length=7)  # "2026-11": the month a global/commission covers
    related_invoice_id: int | None = Field(default=None, foreign_key="invoice.id")  # what an egreso corrects
    cancel_motive: str | None = Field(default=None, max_length=2)  # c_MotivoCancelacion, once asked
    cancel_ack: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))  # the acuse
    created_at: datetime = Field(default_factory=utcnow)
    stamped_at: datetime | None = None
    cancelled_at: datetime | None = None


class PublicSale(SQLModel, table=True):
    """A part sold to someone who asked for no invoice of their own, once its money arrived: it goes into its
    producer's global invoice (público en general) for the month it was paid in. `invoice_id` is that global
    invoice once written; until then the buyer may still ask for a nominative one (the row goes away)."""

    __tablename__ = "public_sale"

    id: int | None = Field(default=None, primary_key=True)
    fulfillment_id: int = Field(foreign_key="fulfillment.id", unique=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    period: str = Field(max_length=7, index=True)  # "2026-11", Mexico City time
    total_cents: int = Field(sa_type=BigInteger)  # what was paid for the part, IVA included
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class OrderReceiver(SQLModel, table=True):
    """A buyer's own fiscal data, given at checkout or from the order page within the month: each paid part of
    the order is then invoiced to it (an ingreso), not gathered in the global invoice."""

    __tablename__ = "order_receiver"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", unique=True)
    rfc: str = Field(max_length=13)
    razon_social: str = Field(max_length=254)
    regimen_fiscal: str = Field(max_length=3)
    codigo_postal: str = Field(max_length=5)
    uso_cfdi: str = Field(max_length=4)
    created_at: datetime = Field(default_factory=utcnow)
