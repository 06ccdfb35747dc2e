"""Supplier documents: an owner uploads (a new upload renews the one of the same requirement), members read,
an administrator approves or rejects, buyers see the badges. Never commits; refusals raise MarketError."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel
from sqlmodel import Session, col, select

from market import uploads
from market.accounts.models import User
from market.admin import audit
from market.admin.audit import require_admin
from market.config import Settings
from market.db import utcnow
from market.documents import checklist, files
from market.documents.checklist import Badges, Requirement
from market.documents.models import DocumentKind, DocumentStatus, SupplierDocument
from market.errors import InvalidTransition, NotFound, ValidationFailed
from market.i18n import N_
from market.linking.models import BuyerMembership, Demand, Quote
from market.mail import kinds
from market.mexico import CERTIFICATIONS
from market.organizations.effects import notify_owners
from market.organizations.models import Organization
from market.organizations.service import require_owner, role_in
from market.storage import StoredObject, storage_for
from market.urls import path_for


class DocumentNotFound(NotFound):
    code = "document_not_found"
    message = N_("No encontramos ese documento.")


UNKNOWN_KIND = N_("Elige uno de los documentos de la lista.")
NOT_CLAIMED = N_("La organización no declara esa certificación: agrégala en «Editar datos» primero.")
NOT_APPLICABLE = N_("Este documento no corresponde a la forma jurídica de la organización.")
ISSUED_MISSING = N_("Escribe la fecha de emisión del documento.")
ISSUED_FUTURE = N_("La fecha de emisión no puede ser posterior a hoy.")
EXPIRY_MISSING = N_("Escribe hasta qué fecha es vigente.")
EXPIRY_BEFORE = N_("La vigencia debe terminar después de la fecha de emisión.")
EXPIRY_PAST = N_("Este documento ya venció: sube uno vigente.")
ISSUED_TOO_OLD = N_("La fecha de emisión no puede ser anterior al {oldest}.")
CONSTANCIA_TOO_OLD = N_(
    "La Constancia de Situación Fiscal debe ser reciente: emitida a partir del {oldest}. "
    "Descarga una nueva del SAT."
)
OPINION_TOO_OLD = N_(
    "La Opinión de Cumplimiento vale 30 días naturales: emitida a partir del {oldest}. "
    "Descarga una nueva del SAT."
)
EXPIRY_TOO_FAR = N_("La vigencia no puede pasar del {farthest}: revisa la fecha.")
CERTIFICATION_CONFLICT = N_(
    "El documento elegido es de otra certificación: indica la certificación una sola vez, o la misma."
)
OLDEST_ISSUE = date(1900, 1, 1)  # an acta or an RAN registration may be old, never older than this
CONSTANCIA_MAX_AGE = timedelta(days=365)  # a Constancia is only useful when recent
EXPIRY_MAX_AHEAD = timedelta(days=3653)  # about ten years from today
OPINION_TOO_LONG = N_(
    "La Opinión de Cumplimiento vale 30 días naturales desde su emisión: a más tardar {date}."
)
NAME_MAX = 200


class DocumentUpload(BaseModel):
    """What the form or the API sends besides the file; dates as ISO text or dates."""

    kind: str
    certification: str = ""
    issued_on: date | None = None
    expires_on: date | None = None


def _requirement(organization: Organization, data: DocumentUpload) -> Requirement:
    kind, _sep, code = data.kind.partition(":")
    named = data.certification.strip()
    certification = named or code.strip()
    if kind not in DocumentKind.labels():
        raise ValidationFailed({"kind": UNKNOWN_KIND})
    if named and code.strip() and named != code.strip():  # `certificacion:a` with `certification=b`
        raise ValidationFailed({"certification": CERTIFICATION_CONFLICT})
    if DocumentKind(kind) == DocumentKind.CERTIFICATION:
        if certification not in CERTIFICATIONS or certification not in organization.certifications:
            raise ValidationFailed({"certification": NOT_CLAIMED})
    else:
        certification = ""
    requirement = Requirement(DocumentKind(kind), certification)
    if requirement.key not in {r.key for r in checklist.requirements(organization)}:
        raise ValidationFailed({"kind": NOT_APPLICABLE})
    return requirement


def _oldest_issue(kind: DocumentKind, day: date) -> tuple[date, str]:
    """The earliest plausible issue date of a document of this kind, and the message that says so."""
    if kind == DocumentKind.CONSTANCIA:
        return day - CONSTANCIA_MAX_AGE, CONSTANCIA_TOO_OLD
    if kind == DocumentKind.OPINION:
        return day - timedelta(days=checklist.OPINION_DAYS), OPINION_TOO_OLD
    return OLDEST_ISSUE, ISSUED_TOO_OLD


def _dates(requirement: Requirement, data: DocumentUpload, day: date) -> tuple[date, date | None]:
    errors: dict[str, str] = {}
    issued, expires = data.issued_on, data.expires_on
    oldest, too_old = _oldest_issue(requirement.kind, day)
    farthest = day + EXPIRY_MAX_AHEAD
    values: dict[str, object] = {
        "oldest": oldest.strftime("%d/%m/%Y"),
        "farthest": farthest.strftime("%d/%m/%Y"),
    }
    if issued is None:
        errors["issued_on"] = ISSUED_MISSING
    elif issued > day:
        errors["issued_on"] = ISSUED_FUTURE
    elif issued < oldest:
        errors["issued_on"] = too_old
    elif requirement.kind == DocumentKind.OPINION:
        latest = issued + timedelta(days=checklist.OPINION_DAYS)
        if expires is None:
            expires = latest  # as the SAT has it
        elif expires > latest:
            errors["expires_on"] = OPINION_TOO_LONG
            values["date"] = latest.strftime("%d/%m/%Y")
    if "expires_on" not in errors:
        if expires is None and requirement.expiry_required:
            errors["expires_on"] = EXPIRY_MISSING
        elif expires is not None and issued is not None and expires <= issued:
            errors["expires_on"] = EXPIRY_BEFORE
        elif expires is not None and expires < day:
            errors["expires_on"] = EXPIRY_PAST
        elif expires is not None and expires > farthest:
            errors["expires_on"] = EXPIRY_TOO_FAR
    if errors:
        raise ValidationFailed(errors, **values)
    assert issued is not None
    return issued, expires


def _lock(session: Session, organization: Organization) -> None:
    """One upload or decision per organization at a time (PostgreSQL row lock; SQLite's write lock)."""
    session.exec(select(Organization.id).where(Organization.id == organization.id).with_for_update()).one()


def upload(
    session: Session,
    settings: Settings,
    user: User,
    organization: Organization,
    data: DocumentUpload,
    content: bytes,
    file_name: str,
) -> SupplierDocument:
    """An owner's document, waiting for review. It replaces an earlier upload of the same requirement that
    is still waiting or was rejected; an approved one stays in force until this one is approved."""
    require_owner(session, user, organization)
    requirement = _requirement(organization, data)
    issued, expires = _dates(requirement, data, checklist.today())
    checked = files.check(content)
    uploads.count_upload(session, settings, user)
    _lock(session, organization)
    assert organization.id is not None and user.id is not None
    now = utcnow()
    for earlier in _standing(session, organization.id, requirement):
        if earlier.status in (DocumentStatus.PENDING, DocumentStatus.REJECTED):
            earlier.status, earlier.superseded_at = DocumentStatus.SUPERSEDED, now
            session.add(earlier)
    document = SupplierDocument(
        organization_id=organization.id,
        kind=requirement.kind,
        certification=requirement.certification,
        file_key=files.store(storage_for(settings), organization.id, checked),
        content_type=checked.content_type,
        file_name=(file_name or "documento")[:NAME_MAX],
        size_bytes=len(checked.data),
        issued_on=issued,
        expires_on=expires,
        uploaded_by_id=user.id,
        uploaded_at=now,
    )
    session.add(document)
    session.flush()
    return document


def _standing(session: Session, organization_id: int, requirement: Requirement) -> list[SupplierDocument]:
    return list(
        session.exec(
            select(SupplierDocument).where(
                SupplierDocument.organization_id == organization_id,
                SupplierDocument.kind == requirement.kind,
                SupplierDocument.certification == requirement.certification,
                col(SupplierDocument.superseded_at).is_(None),
            )
        ).all()
    )


def documents_of(
    session: Session, organization_ids: Iterable[int | None]
) -> dict[int, list[SupplierDocument]]:
    ids = [i for i in organization_ids if i is not None]
    found: dict[int, list[SupplierDocument]] = defaultdict(list)
    if ids:
        for document in session.exec(
            select(SupplierDocument)
            .where(col(SupplierDocument.organization_id).in_(ids))
            .order_by(col(SupplierDocument.id).desc())
        ).all():
            found[document.organization_id].append(document)
    return found


def checklist_of(session: Session, user: User, organization: Organization) -> list[checklist.Entry]:
    """For its members (and administrators)."""
    if not user.is_admin:
        from market.organizations.service import require_member

        require_member(session, user, organization)
    return checklist.checklist(organization, documents_of(session, [organization.id])[organization.id or 0])


def badges_of(session: Session, organizations: Iterable[Organization]) -> dict[int, Badges]:
    """Each organization's badges today, in two queries whatever the number of organizations."""
    organizations = list(organizations)
    documents = documents_of(session, [o.id for o in organizations])
    day = checklist.today()
    return {o.id or 0: checklist.badges(o, documents.get(o.id or 0, []), day) for o in organizations}


# --- who may fetch a file ----------------------------------------------------------------------------


def _quoted_to(session: Session, user: User, organization: Organization) -> bool:
    """The person belongs to an institution that received a quote from the organization."""
    return (
        session.exec(
            select(Quote.id)
            .join(Demand, col(Demand.id) == Quote.demand_id)
            .join(BuyerMembership, col(BuyerMembership.buyer_organization_id) == Demand.buyer_organization_id)
            .where(Quote.organization_id == organization.id, BuyerMembership.user_id == user.id)
        ).first()
        is not None
    )


def readable(
    session: Session, user: User | None, organization: Organization, document_id: int
) -> SupplierDocument:
    """The document, for the organization's members and administrators (any version), and for members of an
    institution the organization quoted to (only approved documents in force). Anyone else: not found, the
    same answer whether it exists or not."""
    document = session.get(SupplierDocument, document_id)
    if user is None or document is None or document.organization_id != organization.id:
        raise DocumentNotFound()
    if user.is_admin or role_in(session, user, organization):
        return document
    if checklist.in_force(document, checklist.today()) and _quoted_to(session, user, organization):
        return document
    raise DocumentNotFound()


def file_of(settings: Settings, document: SupplierDocument) -> StoredObject:
    stored = storage_for(settings).get(document.file_key)
    if stored is None:
        raise DocumentNotFound()
    return stored


# --- review (administrators) -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    document: SupplierDocument
    organization: Organization
    uploader: User


def review_queue(session: Session, admin: User) -> list[QueueRow]:
    require_admin(admin)
    rows = session.exec(
        select(SupplierDocument, Organization, User)
        .join(Organization, col(Organization.id) == SupplierDocument.organization_id)
        .join(User, col(User.id) == SupplierDocument.uploaded_by_id)
        .where(SupplierDocument.status == DocumentStatus.PENDING)
        .order_by(col(SupplierDocument.uploaded_at), col(SupplierDocument.id))
    ).all()
    return [QueueRow(document, organization, uploader) for document, organization, uploader in rows]


def for_review(session: Session, admin: User, document_id: int) -> tuple[SupplierDocument, Organization]:
    """Administrators only, refused before the lookup (others cannot probe which ids exist)."""
    require_admin(admin)
    document = session.get(SupplierDocument, document_id)
    if document is None:
        raise DocumentNotFound()
    organization = session.get(Organization, document.organization_id)
    assert organization is not None
    return document, organization


def _decide(
    session: Session, admin: User, document_id: int, target: DocumentStatus
) -> tuple[SupplierDocument, Organization]:
    document, organization = for_review(session, admin, document_id)
    _lock(session, organization)
    session.refresh(document)
    if document.status != DocumentStatus.PENDING:
        raise InvalidTransition(current=document.status, target=target)
    document.status, document.reviewed_by_id, document.reviewed_at = target, admin.id, utcnow()
    return document, organization


def label_of(document: SupplierDocument) -> str:
    """Spanish source text naming the document (its certification's name for evidence)."""
    return checklist.requirement_of(document).label


def approve(session: Session, admin: User, document_id: int) -> SupplierDocument:
    """Approve it; the approved document it renews is replaced from now on. The owners are told."""
    document, organization = _decide(session, admin, document_id, DocumentStatus.APPROVED)
    assert organization.id is not None
    for earlier in _standing(session, organization.id, checklist.requirement_of(document)):
        if earlier.id != document.id and earlier.status == DocumentStatus.APPROVED:
            earlier.status, earlier.superseded_at = DocumentStatus.SUPERSEDED, document.reviewed_at
            session.add(earlier)
    session.add(document)
    _audit(session, admin, "document.approve", document, organization)
    tell(session, organization, document, "approved")
    return document


def reject(session: Session, admin: User, document_id: int, reason: str | None) -> SupplierDocument:
    reason = audit.required_reason(reason, N_("Explica qué le falta al documento para que lo corrijan."))
    document, organization = _decide(session, admin, document_id, DocumentStatus.REJECTED)
    document.rejection_reason = reason
    session.add(document)
    _audit(session, admin, "document.reject", document, organization, reason)
    tell(session, organization, document, "rejected", reason=reason)
    return document


def _audit(
    session: Session,
    admin: User,
    action: str,
    document: SupplierDocument,
    organization: Organization,
    reason: str | None = None,
) -> None:
    label = f"{organization.name}: {label_of(document)}"
    audit.record(
        session, admin, action, "organization", organization.id or 0, label, reason, document_id=document.id
    )


def tell(
    session: Session, organization: Organization, document: SupplierDocument, event: str, **context: object
) -> None:
    """The organization's owners hear of it, with a link to its Documentos page."""
    notify_owners(
        session,
        organization,
        kinds.SUPPLIER_DOCUMENT,
        link=path_for("documents.page", slug=organization.slug),
        event=event,
        document=label_of(document),
        expires_on=document.expires_on.strftime("%d/%m/%Y") if document.expires_on else None,
        **context,
    )
