"""Which documents an organization must keep on file, what each one's state is today, and the one predicate
of whether a certification it claims is verified. Pure functions over rows already loaded: the pages, the
API and the badges all ask these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from market.db import utcnow
from market.documents.models import DocumentKind, DocumentStatus, SupplierDocument
from market.i18n import N_
from market.mexico import CERTIFICATIONS, MEXICO_CITY
from market.organizations.models import Organization
from market.statuses import Status

# Agrarian nuclei and their unions and ARICs prove themselves by their registration in the Registro Agrario
# Nacional (Ley Agraria, arts. 108 and 110); every other legal form, an SPR too (art. 111), by its acta.
AGRARIAN_FORMS = frozenset({"ejido", "comunidad", "union_ejidos", "aric"})
SOON_DAYS = 15  # "vence pronto" within this many days; the first reminder goes then too
OPINION_DAYS = 30  # the SAT's Opinión de Cumplimiento is valid 30 natural days from its issue


def today(now: datetime | None = None) -> date:
    """The day in central Mexico, which documents' dates are written in."""
    return (now or utcnow()).astimezone(MEXICO_CITY).date()


@dataclass(frozen=True)
class Requirement:
    kind: DocumentKind
    certification: str = ""  # the certification's code, for kind CERTIFICATION

    @property
    def key(self) -> str:
        """How forms and URLs name it: the kind, or `certificacion:<code>`."""
        return f"{self.kind}:{self.certification}" if self.certification else str(self.kind)

    @property
    def label(self) -> str:
        """Spanish source text; a certification's evidence is named by the certification itself."""
        return (
            CERTIFICATIONS.get(self.certification, self.certification)
            if self.certification
            else self.kind.label
        )

    @property
    def expiry_required(self) -> bool:
        return self.kind in (DocumentKind.OPINION, DocumentKind.CERTIFICATION)


def founding_kind(organization: Organization) -> DocumentKind:
    return DocumentKind.RAN if organization.legal_form in AGRARIAN_FORMS else DocumentKind.ACTA


def requirements(organization: Organization) -> list[Requirement]:
    """Constancia and 32-D for all; the acta or the RAN registration by legal form; one evidence per
    certification claimed (unknown codes skipped)."""
    found = [
        Requirement(DocumentKind.CONSTANCIA),
        Requirement(DocumentKind.OPINION),
        Requirement(founding_kind(organization)),
    ]
    found += [
        Requirement(DocumentKind.CERTIFICATION, code)
        for code in organization.certifications
        if code in CERTIFICATIONS
    ]
    return found


def requirement_of(document: SupplierDocument) -> Requirement:
    return Requirement(document.kind, document.certification)


class Standing(Status):
    """Where one requirement stands today, as the checklist and the badges say it."""

    MISSING = "missing", N_("Falta")
    IN_REVIEW = "in_review", N_("En revisión")
    VALID = "valid", N_("Vigente")
    EXPIRING = "expiring", N_("Vence pronto")
    EXPIRED = "expired", N_("Vencido")
    REJECTED = "rejected", N_("Rechazado")


def in_force(document: SupplierDocument, day: date) -> bool:
    """Approved, not replaced, and not past its expiry date (valid through that day)."""
    return (
        document.status == DocumentStatus.APPROVED
        and document.superseded_at is None
        and (document.expires_on is None or document.expires_on >= day)
    )


@dataclass
class Entry:
    """One requirement with its documents: `latest` is the newest upload still standing (not replaced),
    `approved` the newest approved one (it stays in force while a renewal waits for review)."""

    requirement: Requirement
    latest: SupplierDocument | None = None
    approved: SupplierDocument | None = None
    history: list[SupplierDocument] = field(default_factory=list)  # newest first, every upload

    def standing(self, day: date) -> Standing:
        latest = self.latest
        if latest is None:
            return Standing.MISSING
        if latest.status == DocumentStatus.PENDING:
            return Standing.IN_REVIEW
        if latest.status == DocumentStatus.REJECTED:
            return Standing.REJECTED
        if latest.expires_on is not None and latest.expires_on < day:
            return Standing.EXPIRED
        if latest.expires_on is not None and latest.expires_on <= day + timedelta(days=SOON_DAYS):
            return Standing.EXPIRING
        return Standing.VALID

    def in_force(self, day: date) -> bool:
        return self.approved is not None and in_force(self.approved, day)


def checklist(organization: Organization, documents: Iterable[SupplierDocument]) -> list[Entry]:
    """Each requirement of the organization with its documents (any order in; newest first out). Documents
    of a certification no longer claimed are left out (they stay in the database)."""
    entries = {requirement.key: Entry(requirement) for requirement in requirements(organization)}
    for document in sorted(documents, key=lambda d: d.id or 0, reverse=True):
        entry = entries.get(requirement_of(document).key)
        if entry is None:
            continue
        entry.history.append(document)
        if document.superseded_at is None and entry.latest is None:
            entry.latest = document
        if (
            document.status == DocumentStatus.APPROVED
            and document.superseded_at is None
            and entry.approved is None
        ):
            entry.approved = document
    return list(entries.values())


class CertificationState(Status):
    VERIFIED = "verificada", N_("verificada")
    LAPSED = "vencida", N_("declarada · evidencia vencida")
    DECLARED = "declarada", N_("declarada")


def certification_state(
    documents: Iterable[SupplierDocument], certification: str, day: date
) -> CertificationState:
    """THE predicate: a claimed certification is `verificada` only with approved, unexpired evidence on
    file; with approved evidence past its date it is `vencida`; otherwise `declarada`."""
    approved = [
        d
        for d in documents
        if d.kind == DocumentKind.CERTIFICATION
        and d.certification == certification
        and d.status == DocumentStatus.APPROVED
        and d.superseded_at is None
    ]
    if any(in_force(d, day) for d in approved):
        return CertificationState.VERIFIED
    return CertificationState.LAPSED if approved else CertificationState.DECLARED


def certification_verified(documents: Iterable[SupplierDocument], certification: str, day: date) -> bool:
    return certification_state(documents, certification, day) == CertificationState.VERIFIED


@dataclass(frozen=True)
class Badges:
    """What buyers see of an organization's documents: whether its constancia, its 32-D and its acta (or
    RAN registration) are approved and in force, and each certification it claims with its state."""

    constancia: bool
    opinion: bool
    founding: bool
    founding_kind: DocumentKind
    certifications: tuple[tuple[str, CertificationState], ...]
    # The approved documents in force of what applies to it, (Spanish source label, id): what a buyer it
    # quoted to may open.
    files: tuple[tuple[str, int], ...] = ()

    @property
    def verified_certifications(self) -> list[str]:
        return [code for code, state in self.certifications if state == CertificationState.VERIFIED]


def badges(organization: Organization, documents: Iterable[SupplierDocument], day: date) -> Badges:
    documents = list(documents)

    def kind_in_force(kind: DocumentKind) -> bool:
        return any(d.kind == kind and in_force(d, day) for d in documents)

    kind = founding_kind(organization)
    return Badges(
        constancia=kind_in_force(DocumentKind.CONSTANCIA),
        opinion=kind_in_force(DocumentKind.OPINION),
        founding=kind_in_force(kind),
        founding_kind=kind,
        certifications=tuple(
            (code, certification_state(documents, code, day))
            for code in organization.certifications
            if code in CERTIFICATIONS
        ),
        files=tuple(
            (entry.requirement.label, entry.approved.id or 0)
            for entry in checklist(organization, documents)
            if entry.approved is not None and entry.in_force(day)
        ),
    )
