"""The stored CSD at work: opened again as a satcfdi Signer that seals a CFDI whose seal verifies, refused
when there is none, it expired or the RFC changed; and its expiry told to the owners once per threshold,
however many workers run the job at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from satcfdi.cfdi import CFDI
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.config import Settings
from market.db import transaction, utcnow
from market.invoicing import csd_store, vault
from market.invoicing.csd import make_test_csd
from market.invoicing.seal import seal_verifies
from market.mail.models import Email
from market.mail.render import render
from market.organizations.models import Membership, Organization
from tests.helpers import MAIL_SETTINGS, at_once, emails
from tests.invoicing.samples.make import ingreso
from tests.mail.examples_invoicing import VARIANTS

RFC = "CFC050312AB4"
LEGAL_NAME = "COOPERATIVA FLOR DE CAFE"


@pytest.fixture
def producer(make_user: Any, make_org: Any, session: Session) -> dict[str, Any]:
    owner = make_user("rosa@example.mx", name="Rosa Pérez")
    partner = make_user("juana@example.mx", name="Juana Gómez")  # a second owner: she is warned too
    member = make_user("luis@example.mx", name="Luis Díaz")  # a member is not
    org = make_org(owner)
    org.legal_name, org.tax_regime, org.fiscal_postal_code = LEGAL_NAME, "601", "29350"
    session.add(Membership(user_id=partner.id, organization_id=org.id, role="owner"))
    session.add(Membership(user_id=member.id, organization_id=org.id, role="member"))
    session.commit()
    return {"owner": owner, "org": org}


def upload(session: Session, settings: Settings, producer: dict[str, Any], **options: Any) -> None:
    files = make_test_csd(RFC, LEGAL_NAME, **options)
    csd_store.upload(
        session, settings, producer["owner"], producer["org"], files.certificate, files.key, files.password
    )
    session.commit()


def test_the_stored_csd_seals_a_cfdi_whose_seal_verifies(
    session: Session, settings: Settings, producer: dict[str, Any]
) -> None:
    org: Organization = producer["org"]
    upload(session, settings, producer)

    signer = csd_store.signer_for(session, settings, org)
    invoice = ingreso(rfc=org.rfc or "", name=org.legal_name or "")  # issued from postal code 29350 too
    invoice.sign(signer)
    sealed = invoice.xml_bytes(validate=True)

    assert CFDI.from_string(sealed)["NoCertificado"] == "30001000000500003416"
    assert seal_verifies(sealed)


def test_no_signer_without_a_csd_after_it_expired_or_once_the_rfc_changed(
    session: Session, settings: Settings, producer: dict[str, Any]
) -> None:
    org: Organization = producer["org"]
    with pytest.raises(csd_store.CsdMissing):
        csd_store.signer_for(session, settings, org)
    upload(session, settings, producer, days=40)

    with pytest.raises(csd_store.CsdExpired) as expired:
        csd_store.signer_for(session, settings, org, now=utcnow() + timedelta(days=41))
    org.rfc = "CFA050312AB1"
    with pytest.raises(csd_store.CsdOfAnotherRfc) as other:
        csd_store.signer_for(session, settings, org)

    assert expired.value.detail.startswith("El CSD de la organización venció el ")
    assert other.value.detail.startswith(f"El CSD guardado es del RFC {RFC} y la organización ahora tiene")


def test_a_csd_sealed_under_another_invoicing_key_asks_for_a_new_upload(
    session: Session, settings: Settings, producer: dict[str, Any]
) -> None:
    upload(session, settings, producer)
    rotated = settings.model_copy(update={"secret_key": "another-secret"})
    rotated.__dict__.pop("invoicing_fernet_key", None)

    with pytest.raises(vault.SealedSecretUnreadable):
        csd_store.signer_for(session, rotated, producer["org"])


def warnings_sent(session: Session) -> list[tuple[str, bool]]:
    """(to whom, whether it says the CSD expired) of each warning queued."""
    return sorted((e["to"], "venció" in e["subject"]) for e in emails(session) if e["kind"] == "csd_expiring")


def test_owners_are_warned_once_30_days_ahead_and_once_on_expiry_even_with_two_workers(
    session: Session, engine: Engine, settings: Settings, producer: dict[str, Any]
) -> None:
    upload(session, settings, producer, days=60)
    valid_until = csd_store.current(session, producer["org"]).valid_until  # type: ignore[union-attr]

    def run(now: datetime) -> str:
        with transaction(engine) as worker:
            return str(csd_store.warn_expiring(worker, now))

    early = at_once(lambda: run(valid_until - timedelta(days=31)))
    ahead = at_once(lambda: run(valid_until - timedelta(days=29)))
    ahead_again = at_once(lambda: run(valid_until - timedelta(days=2)))
    assert warnings_sent(session) == [("juana@example.mx", False), ("rosa@example.mx", False)]
    expired = at_once(lambda: run(valid_until + timedelta(minutes=1)))
    expired_again = at_once(lambda: run(valid_until + timedelta(days=3)))

    assert (early, ahead, ahead_again, expired, expired_again) == (
        ["0", "0"],
        ["0", "1"],
        ["0", "0"],
        ["0", "1"],
        ["0", "0"],
    )
    assert warnings_sent(session) == [
        ("juana@example.mx", False),
        ("juana@example.mx", True),
        ("rosa@example.mx", False),
        ("rosa@example.mx", True),
    ]
    first = next(e for e in emails(session) if e["kind"] == "csd_expiring")
    assert first["link"] == f"/panel/o/{producer['org'].slug}/facturacion"


def test_a_new_csd_gets_its_own_warnings(
    session: Session, settings: Settings, producer: dict[str, Any]
) -> None:
    upload(session, settings, producer, days=20)
    assert csd_store.warn_expiring(session) == 1
    session.commit()

    upload(session, settings, producer, days=20, certificate_number="30001000000500007777")

    assert csd_store.warn_expiring(session) == 1
    assert csd_store.warn_expiring(session) == 0


def test_the_expired_warning_reads_as_such() -> None:
    kind, context = VARIANTS[0]
    rendered = render(
        Email(message_id="<x@y>", kind=kind, to_address="a@b.mx", context=context | {"name": "Ana"}),
        MAIL_SETTINGS,
    )

    assert rendered.subject == "Café de la Sierra: su CSD venció y ya no puede facturar"
    assert "número 30001000000500003416, venció el" in rendered.text
