"""Supplier documents for the demo marketplace: a few producers with their constancia, 32-D and acta (or RAN)
approved, a certification verified and another only declared, and one document waiting in the
administrators' queue. Idempotent: a producer that already has documents is left as it is."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from PIL import Image, ImageDraw
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.documents import checklist, service
from market.documents.models import SupplierDocument
from market.documents.service import DocumentUpload
from market.organizations.models import Membership, Organization, VerificationStatus

PRODUCERS = 3  # the first verified producers get documents, and the first ejido or comunidad


def scanned_pdf(title: str, organization: str) -> bytes:
    """A one-page PDF that looks like a scan: the document's name and the organization's."""
    page = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(page)
    draw.text((60, 60), title, fill="black")
    draw.text((60, 100), organization, fill="black")
    draw.text((60, 140), "Documento de demostración", fill="gray")
    out = BytesIO()
    page.save(out, "PDF", resolution=100)
    return out.getvalue()


def load_demo_documents(session: Session, settings: Settings, admin: User) -> None:
    verified = session.exec(
        select(Organization)
        .where(Organization.verification_status == VerificationStatus.VERIFIED)
        .order_by(col(Organization.id))
    ).all()
    agrarian = [o for o in verified if o.legal_form in checklist.AGRARIAN_FORMS][:1]  # its RAN registration
    producers = list(verified[:PRODUCERS]) + [o for o in agrarian if o not in verified[:PRODUCERS]]
    day = checklist.today()
    for index, organization in enumerate(producers):
        if session.exec(
            select(SupplierDocument.id).where(SupplierDocument.organization_id == organization.id)
        ).first():
            continue
        owner = session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.organization_id == organization.id, Membership.role == "owner")
        ).first()
        if owner is None:
            continue
        requirements = checklist.requirements(organization)
        # the last producer's evidence of its last certification waits for review; the others are approved
        for number, requirement in enumerate(requirements):
            if requirement.certification and number == len(requirements) - 1 and index == 0:
                continue  # declared without evidence: it shows as «declarada»
            issued = day - timedelta(days=5)
            expires = issued + timedelta(days=365) if requirement.certification else None
            data = DocumentUpload(kind=requirement.key, issued_on=issued, expires_on=expires)
            content = scanned_pdf(requirement.label, organization.name)
            document = service.upload(
                session, settings, owner, organization, data, content, f"{requirement.kind}.pdf"
            )
            if not (index == len(producers) - 1 and number == 0):
                service.approve(session, admin, document.id or 0)
    session.flush()
