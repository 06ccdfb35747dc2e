"""The documents a producer keeps on file for public and institutional buyers: its Constancia de Situación
Fiscal, its Opinión de Cumplimiento (32-D), its acta constitutiva or its registration in the Registro Agrario
Nacional, and the evidence of each certification it claims. Each is reviewed by an administrator; a new
upload replaces the one it renews (the old row stays, as history)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from market.db import utcnow
from market.i18n import N_
from market.statuses import Status, StatusColumn


class DocumentKind(Status):
    CONSTANCIA = "constancia_situacion_fiscal", N_("Constancia de Situación Fiscal")
    OPINION = "opinion_cumplimiento", N_("Opinión de Cumplimiento (32-D)")
    ACTA = "acta_constitutiva", N_("Acta constitutiva")
    RAN = "registro_ran", N_("Inscripción en el Registro Agrario Nacional (RAN)")
    CERTIFICATION = "certificacion", N_("Evidencia de certificación")


class DocumentStatus(Status):
    """An administrator's review. Whether an approved document is still in force follows from its date."""

    PENDING = "pending_review", N_("En revisión")
    APPROVED = "approved", N_("Aprobado")
    REJECTED = "rejected", N_("Rechazado")
    SUPERSEDED = "superseded", N_("Reemplazado")


class SupplierDocument(SQLModel, table=True):
    """One uploaded file. `certification` is the code of the certification it proves (kind
    `certificacion`), empty for the other kinds. The file lives in the media storage under a random key
    that no public route serves (market.media_serving refuses `documents/`)."""

    __tablename__ = "supplier_document"
    __table_args__ = (
        Index("ix_supplier_document_organization_kind", "organization_id", "kind", "certification"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE")
    kind: DocumentKind = Field(sa_type=StatusColumn(DocumentKind, 32))
    certification: str = Field(default="", max_length=64)
    file_key: str = Field(max_length=200)
    content_type: str = Field(max_length=40)
    file_name: str = Field(max_length=200)  # as the person's device named it, for the download
    size_bytes: int
    issued_on: date
    expires_on: date | None = Field(default=None, index=True)
    status: DocumentStatus = Field(
        default=DocumentStatus.PENDING, sa_type=StatusColumn(DocumentStatus, 16), index=True
    )
    rejection_reason: str | None = Field(default=None, max_length=1000)
    uploaded_by_id: int = Field(foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = None
    superseded_at: datetime | None = None
    # The smallest number of days ahead the owners were told of its expiry (0: that it expired), so that each
    # reminder goes once whatever the number of workers (market.documents.reminders).
    reminded_days: int | None = None
