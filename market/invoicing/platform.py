"""The platform (Tianguis Solidario) as an issuer: the CFDI it issues each producer for its fees is sealed
with the platform's own fiscal data and CSD, from settings (PLATFORM_RFC, PLATFORM_LEGAL_NAME,
PLATFORM_TAX_REGIME, PLATFORM_FISCAL_POSTAL_CODE; PLATFORM_CSD_CERTIFICATE, PLATFORM_CSD_KEY,
PLATFORM_CSD_PASSWORD).

Outside production, with no CSD configured, the platform seals with a test CSD (market.invoicing.csd
.make_test_csd) for the SAT's test RFC, made once and kept under the data dir so that restarts reuse it. In
production a commission invoice without them is refused with the reason, for the administrators; start-up
does not fail for it."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime

from satcfdi.models import Signer
from sqlalchemy import text
from sqlmodel import Session

from market.config import Settings
from market.errors import MarketError, ValidationFailed
from market.i18n import N_
from market.invoicing import csd

TEST_RFC = "EKU9003173C9"  # the RFC of the SAT's own test CSDs: never a real taxpayer
TEST_CSD_DIR = "csd-de-pruebas"  # under the data dir (beside MEDIA_DIR)
NOT_CONFIGURED = N_(
    "La plataforma no tiene configurados sus datos fiscales o su CSD ({missing}): la factura de comisión "
    "no se emite. Un administrador debe configurarlos."
)
CSD_REFUSED = N_("El CSD de la plataforma (PLATFORM_CSD_*) no sirve para sellar: {reason}")


@dataclass(frozen=True)
class Issuer:
    """The platform's fiscal data, shaped as an Organization's for the CFDI builders."""

    rfc: str
    legal_name: str
    tax_regime: str
    fiscal_postal_code: str


def issuer(settings: Settings) -> Issuer:
    return Issuer(
        rfc=(settings.platform_rfc or TEST_RFC).upper(),
        legal_name=settings.platform_legal_name,
        tax_regime=settings.platform_tax_regime,
        fiscal_postal_code=settings.platform_fiscal_postal_code,
    )


def _missing(settings: Settings) -> list[str]:
    wanted = {
        "PLATFORM_RFC": settings.platform_rfc,
        "PLATFORM_CSD_CERTIFICATE": settings.platform_csd_certificate,
        "PLATFORM_CSD_KEY": settings.platform_csd_key,
        "PLATFORM_CSD_PASSWORD": settings.platform_csd_password.get_secret_value(),
    }
    return [name for name, value in wanted.items() if not value]


def signer(settings: Settings, now: datetime | None = None) -> Signer:
    """The platform's CSD opened for sealing, checked as an upload is (csd.check: a CSD and not a FIEL, of
    the platform's RFC, in force); a MarketError saying what is wrong."""
    missing = _missing(settings)
    if missing and settings.is_production:
        raise MarketError(NOT_CONFIGURED, missing=", ".join(missing))
    if settings.platform_csd_certificate is None or settings.platform_csd_key is None:
        files = test_csd(settings)
        return Signer.load(certificate=files.certificate, key=files.key, password=files.password)
    try:
        certificate = settings.platform_csd_certificate.read_bytes()
        key = settings.platform_csd_key.read_bytes()
    except OSError as unreadable:
        raise MarketError(CSD_REFUSED, reason=str(unreadable)) from None
    password = settings.platform_csd_password.get_secret_value()
    try:
        csd.check(certificate, key, password, issuer(settings).rfc, now=now)
    except ValidationFailed as refused:
        values = refused.field_values
        reason = "; ".join(text.format(**values) if values else text for text in refused.errors.values())
        raise MarketError(CSD_REFUSED, reason=reason) from None
    return Signer.load(certificate=certificate, key=key, password=password)


def test_csd(settings: Settings) -> csd.CsdFiles:
    """The platform's test CSD (not in production), made the first time and kept under the data dir."""
    assert not settings.is_production
    rfc, name = issuer(settings).rfc, settings.platform_legal_name
    folder = settings.media_dir.parent / TEST_CSD_DIR / rfc
    names = ("certificate.cer", "key.key", "password.txt")
    if not folder.exists():
        made = csd.make_test_csd(rfc, name)
        # Written aside and renamed into place whole: a second worker making one at the same time keeps
        # whichever got there first, never a certificate of one with the key of the other.
        aside = folder.with_name(f".{rfc}.{os.getpid()}.{threading.get_ident()}")
        aside.mkdir(parents=True, exist_ok=True)
        for file_name, content in zip(
            names, (made.certificate, made.key, made.password.encode()), strict=True
        ):
            (aside / file_name).write_bytes(content)
        try:
            os.rename(aside, folder)
        except OSError:  # another process made it first
            shutil.rmtree(aside, ignore_errors=True)
    certificate, key, password = ((folder / file_name).read_bytes() for file_name in names)
    return csd.CsdFiles(certificate=certificate, key=key, password=password.decode())


def one_folio_at_a_time(session: Session) -> None:
    """Hold, until the transaction ends, the lock that numbers the platform's invoices one at a time (their
    folios are one series for the platform, across every producer they are issued to): an advisory lock on
    PostgreSQL, SQLite's single write lock."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(b"platform-folios", digest_size=8).digest(), signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(CAST(:key AS bigint))"), {"key": key})
    elif connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")
