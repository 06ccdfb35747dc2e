"""An organization's CSD kept for sealing its invoices: uploaded by an owner and checked against the
organization's RFC (market.invoicing.csd.check), its key and password encrypted at rest
(market.invoicing.vault), opened again only as a satcfdi Signer for the invoicing code, and its expiry
warned to the owners ahead of time."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from satcfdi.models import Signer
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction, utcnow
from market.errors import Conflict, ValidationFailed
from market.i18n import N_
from market.invoicing import csd, vault
from market.mail import kinds
from market.organizations.effects import notify_owners
from market.organizations.models import Organization, OrganizationCsd
from market.organizations.service import require_owner
from market.urls import path_for

WARN_DAYS = 30  # the owners hear of the expiry this many days ahead, and again on the day
MAX_FILE_BYTES = 64 * 1024  # a .cer is about 1.5 KB and a .key about 1.3 KB
TOO_BIG = N_("El archivo pesa demasiado para ser parte de un CSD (el .cer y el .key pesan unos 2 KB).")
NO_FILE = N_("Elige el archivo.")
NO_PASSWORD = N_("Escribe la contraseña de la llave privada (.key).")


class RfcRequired(Conflict):
    code = "rfc_required"
    message = N_(
        "Primero registra el RFC de la organización (en «Editar datos»): el CSD se comprueba contra él."
    )


class CsdMissing(Conflict):
    code = "csd_missing"
    message = N_("La organización aún no tiene CSD: súbelo en Facturación para poder facturar.")


class CsdExpired(Conflict):
    code = "csd_expired"
    message = N_("El CSD de la organización venció el {date}: sube el nuevo en Facturación.")


class CsdOfAnotherRfc(Conflict):
    code = "csd_other_rfc"
    message = N_(
        "El CSD guardado es del RFC {found} y la organización ahora tiene el RFC {rfc}: sube el CSD del "
        "RFC nuevo en Facturación."
    )


class CsdPublic(BaseModel):
    """What anyone of the organization sees of its CSD: never the key nor its password."""

    rfc: str
    certificate_number: str = Field(description="The 20 digits a CFDI names in NoCertificado")
    valid_from: datetime
    valid_until: datetime
    uploaded_at: datetime
    uploaded_by_name: str | None
    expires_soon: bool = Field(description=f"It expires within {WARN_DAYS} days (or has expired)")
    expired: bool


def current(session: Session, organization: Organization) -> OrganizationCsd | None:
    return session.exec(
        select(OrganizationCsd).where(OrganizationCsd.organization_id == organization.id)
    ).first()


def public_of(
    session: Session, stored: OrganizationCsd | None, now: datetime | None = None
) -> CsdPublic | None:
    if stored is None:
        return None
    now = now or utcnow()
    uploader = session.get(User, stored.uploaded_by_id)
    valid_until = stored.valid_until
    return CsdPublic(
        rfc=stored.rfc,
        certificate_number=stored.certificate_number,
        valid_from=stored.valid_from,
        valid_until=valid_until,
        uploaded_at=stored.uploaded_at,
        uploaded_by_name=uploader.name if uploader else None,
        expires_soon=valid_until - now < timedelta(days=WARN_DAYS),
        expired=valid_until <= now,
    )


def upload(
    session: Session,
    settings: Settings,
    user: User,
    organization: Organization,
    certificate: bytes,
    key: bytes,
    password: str,
    now: datetime | None = None,
) -> OrganizationCsd:
    """An owner's CSD for the organization, in place of the one it had: checked against its RFC (the key
    opens with the password and belongs to the certificate, a CSD and not a FIEL, in force), or
    ValidationFailed naming the field that is wrong. Nothing of a refused upload is written."""
    require_owner(session, user, organization)
    if not organization.rfc:
        raise RfcRequired()
    missing = {
        field: message
        for field, message in (("certificate", NO_FILE), ("key", NO_FILE), ("password", NO_PASSWORD))
        if not {"certificate": certificate, "key": key, "password": password}[field]
    }
    if missing:
        raise ValidationFailed(missing)
    too_big = {
        f: TOO_BIG for f, data in (("certificate", certificate), ("key", key)) if len(data) > MAX_FILE_BYTES
    }
    if too_big:
        raise ValidationFailed(too_big)
    facts = csd.check(certificate, key, password, organization.rfc, now=now)
    assert user.id is not None and organization.id is not None
    stored = current(session, organization) or OrganizationCsd(
        organization_id=organization.id,
        rfc=facts.rfc,
        certificate=b"",
        certificate_number="",
        valid_from=facts.valid_from,
        valid_until=facts.valid_until,
        sealed_key=b"",
        sealed_password=b"",
        uploaded_by_id=user.id,
    )
    stored.rfc = facts.rfc
    stored.certificate = certificate
    stored.certificate_number = facts.certificate_number
    stored.valid_from, stored.valid_until = facts.valid_from, facts.valid_until
    stored.sealed_key = vault.seal(settings, key)
    stored.sealed_password = vault.seal(settings, password.encode())
    stored.uploaded_by_id = user.id
    stored.uploaded_at = now or utcnow()
    stored.warned_expiring_at = stored.warned_expired_at = None  # a new certificate gets its own warnings
    session.add(stored)
    session.flush()
    return stored


def signer_for(
    session: Session, settings: Settings, organization: Organization, now: datetime | None = None
) -> Signer:
    """The organization's CSD opened for sealing an invoice, or a refusal saying what to do: there is none,
    it expired, or the organization's RFC changed since it was uploaded."""
    stored = current(session, organization)
    if stored is None:
        raise CsdMissing()
    valid_until = stored.valid_until
    if valid_until <= (now or utcnow()):
        raise CsdExpired(date=valid_until.date().isoformat())
    if stored.rfc != organization.rfc:
        raise CsdOfAnotherRfc(found=stored.rfc, rfc=organization.rfc or "—")
    return Signer.load(
        certificate=stored.certificate,
        key=vault.unseal(settings, stored.sealed_key),
        password=vault.unseal(settings, stored.sealed_password).decode(),
    )


def warn_expiring(session: Session, now: datetime | None = None) -> int:
    """Tell each organization's owners that its CSD expires within WARN_DAYS days, and that it expired:
    once each per certificate, whichever worker gets there first (the warning is claimed by a conditional
    UPDATE that only one transaction can make). Returns how many warnings were queued."""
    now = now or utcnow()
    sent = 0
    for field, limit, expired in (
        ("warned_expired_at", now, True),
        ("warned_expiring_at", now + timedelta(days=WARN_DAYS), False),
    ):
        warned = col(getattr(OrganizationCsd, field))
        due = session.exec(
            select(OrganizationCsd).where(warned.is_(None), col(OrganizationCsd.valid_until) <= limit)
        ).all()
        for stored in due:
            claimed = update(OrganizationCsd).where(col(OrganizationCsd.id) == stored.id, warned.is_(None))
            # An expired certificate nobody was warned of ahead gets the one message: that it expired.
            ahead = func.coalesce(OrganizationCsd.warned_expiring_at, now)
            values = {field: now} | ({"warned_expiring_at": ahead} if expired else {})
            if session.execute(claimed.values(**values)).rowcount != 1:  # type: ignore[attr-defined]
                continue  # another worker told them
            organization = session.get(Organization, stored.organization_id)
            assert organization is not None
            notify_owners(
                session,
                organization,
                kinds.CSD_EXPIRING,
                link=path_for("organizations.invoicing", slug=organization.slug),
                certificate_number=stored.certificate_number,
                valid_until=stored.valid_until,
                expired=expired,
            )
            sent += 1
    session.expire_all()  # the UPDATEs went around the loaded rows
    return sent


def warn_expiring_in(db: Engine) -> int:
    """The worker's hourly run of warn_expiring, in its own transaction."""
    with transaction(db) as session:
        return warn_expiring(session)
