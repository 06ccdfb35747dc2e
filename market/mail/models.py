"""The e-mails themselves and what each person wants to receive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from market.db import utcnow
from market.i18n import N_
from market.statuses import Status, StatusColumn


class EmailStatus(Status):
    QUEUED = "queued", N_("Por enviar")
    SENT = "sent", N_("Enviado")
    HELD = "held", N_("Para el resumen diario")
    DIGESTED = "digested", N_("Enviado en un resumen diario")
    SUPPRESSED = "suppressed", N_("No enviado: la persona no quiere este tipo de correo")
    PARKED = "parked", N_("No enviado: el servidor de correo lo rechazó")


class Email(SQLModel, table=True):
    """One message to one address, written in the same transaction as the change that caused it (so a
    rolled-back change sends nothing) and rendered when it is delivered, in the recipient's language then.

    `message_id` is fixed when the row is written: it is the Message-ID header of every delivery attempt,
    so the one case no database can rule out — the server accepted the message and the worker died before
    recording it — resends a message that receivers recognise as the same one."""

    __table_args__ = (Index("ix_email_status_available_at", "status", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=255, unique=True)
    kind: str = Field(max_length=64, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="SET NULL")
    to_address: str = Field(max_length=254, index=True)
    locale: str = Field(default="es_MX", max_length=8)  # for an address with no account behind it
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: EmailStatus = Field(default=EmailStatus.QUEUED, sa_type=StatusColumn(EmailStatus, 16))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    available_at: datetime = Field(default_factory=utcnow)
    tries: int = 0  # every failed try, for the back-off
    rejections: int = 0  # permanent refusals by the server: the message is parked after a few
    last_error: str | None = Field(default=None, max_length=2000)
    sent_at: datetime | None = None
    digest_id: int | None = Field(default=None, foreign_key="email.id")  # the digest that carried it
    # What was sent (filled when delivered), so the mailbox shows exactly that.
    subject: str | None = Field(default=None, max_length=300)
    text_body: str | None = None
    html_body: str | None = None


class EmailPreference(SQLModel, table=True):
    """What a person chose. No row: every kind of message, one by one."""

    __tablename__ = "email_preference"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    muted: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )  # topics turned off
    daily_digest: bool = False  # producers: one message a day instead of one per event
    last_digest_at: datetime | None = None
