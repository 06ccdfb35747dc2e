"""What the API says of supplier documents and of an organization's badges."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from market.documents import checklist
from market.documents.checklist import Badges, CertificationState, Entry, Standing
from market.documents.models import DocumentKind, DocumentStatus, SupplierDocument


class DocumentPublic(BaseModel):
    id: int
    kind: DocumentKind
    certification: str | None = Field(description="The certification's code, for kind `certificacion`")
    status: DocumentStatus
    expired: bool = Field(description="Past its expiry date (central Mexico's day)")
    file_name: str
    content_type: str
    size_bytes: int
    issued_on: date
    expires_on: date | None
    rejection_reason: str | None
    uploaded_at: datetime
    reviewed_at: datetime | None
    file_url: str

    @classmethod
    def of(cls, document: SupplierDocument, slug: str) -> DocumentPublic:
        assert document.id is not None
        return cls(
            id=document.id,
            kind=document.kind,
            certification=document.certification or None,
            status=document.status,
            expired=document.expires_on is not None and document.expires_on < checklist.today(),
            file_name=document.file_name,
            content_type=document.content_type,
            size_bytes=document.size_bytes,
            issued_on=document.issued_on,
            expires_on=document.expires_on,
            rejection_reason=document.rejection_reason,
            uploaded_at=document.uploaded_at,
            reviewed_at=document.reviewed_at,
            file_url=f"/api/v1/organizations/{slug}/documents/{document.id}/file",
        )


class RequirementPublic(BaseModel):
    """One document the organization must keep on file, where it stands and its uploads (newest first)."""

    key: str = Field(description="kind, or `certificacion:<code>`: what to send as `kind` to upload it")
    kind: DocumentKind
    certification: str | None
    standing: Standing
    in_force: bool = Field(description="An approved document of it is in force today")
    documents: list[DocumentPublic]

    @classmethod
    def of(cls, entry: Entry, slug: str) -> RequirementPublic:
        day = checklist.today()
        return cls(
            key=entry.requirement.key,
            kind=entry.requirement.kind,
            certification=entry.requirement.certification or None,
            standing=entry.standing(day),
            in_force=entry.in_force(day),
            documents=[DocumentPublic.of(d, slug) for d in entry.history],
        )


class CertificationBadge(BaseModel):
    code: str
    state: CertificationState = Field(
        description="verificada: approved evidence in force; otherwise declarada"
    )


class BadgesPublic(BaseModel):
    """What buyers see of the organization's documents."""

    constancia_situacion_fiscal: bool
    opinion_cumplimiento: bool = Field(description="An approved Opinión 32-D in force")
    acta_o_ran: bool = Field(
        description="Its acta constitutiva, or its RAN registration for an ejido or comunidad"
    )
    certifications: list[CertificationBadge]

    @classmethod
    def of(cls, badges: Badges) -> BadgesPublic:
        return cls(
            constancia_situacion_fiscal=badges.constancia,
            opinion_cumplimiento=badges.opinion,
            acta_o_ran=badges.founding,
            certifications=[CertificationBadge(code=c, state=s) for c, s in badges.certifications],
        )
