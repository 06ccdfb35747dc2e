"""An invoice is sealed with the producer's CSD, checked, and stamped by the PAC through satcfdi's SW sapien
client, against a loopback server speaking SW's protocol (tests/fixtures/pac.py)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from satcfdi.cfdi import CFDI
from satcfdi.models import Certificate, Signer

from market.config import Settings
from market.invoicing.pac import (
    MEXICO_CITY,
    PacCredentialsRefused,
    PacNotConfigured,
    PacRejected,
    PacUnavailable,
    stamp,
    submit,
)
from market.invoicing.seal import BrokenSeal, CfdiInvalid, seal, seal_verifies
from tests.fixtures.pac import BROKEN_SEAL, PacServer
from tests.helpers import at_once
from tests.invoicing.samples.make import PAC_CERTIFICATE, SAMPLE, ingreso, sample_signer


@pytest.fixture(scope="module")
def signer() -> Signer:
    return sample_signer()


@pytest.fixture
def sealed(signer: Signer) -> bytes:
    return seal(ingreso(), signer)


def validates(xml: bytes) -> bool:
    """Whether the XML follows the SAT's schemas (the CFDI's and its complements')."""
    CFDI.from_string(xml).xml_bytes(validate=True)  # SchemaValidationError otherwise
    return True


def tfd_verifies(xml: bytes, pac_certificate: bytes) -> bool:
    """Whether the stamp is the PAC's: SelloSAT verifies with its certificate over the TFD's cadena original,
    and SelloCFD is the CFDI's own seal."""
    cfdi = CFDI.from_string(xml)
    tfd = cfdi["Complemento"]["TimbreFiscalDigital"]
    certificate = Certificate.load_certificate(pac_certificate)
    signature = base64.b64decode(tfd["SelloSAT"])
    return bool(
        tfd["SelloCFD"] == cfdi["Sello"]
        and tfd["NoCertificadoSAT"] == certificate.certificate_number
        and certificate.verify_sha256(tfd.cadena_original().encode(), signature)
    )


def tampered(xml: bytes) -> bytes:
    """The same sealed XML, with a concept's description changed after sealing."""
    changed = xml.replace(b"Rebozo tejido", b"Rebozo bordado")
    assert changed != xml
    return changed


def test_a_sealed_invoice_is_valid_and_its_seal_verifies(sealed: bytes, signer: Signer) -> None:
    assert validates(sealed) and seal_verifies(sealed)
    cfdi = CFDI.from_string(sealed)
    assert (cfdi["NoCertificado"], cfdi["Emisor"]["Rfc"]) == (signer.certificate_number, "CTZ0803115N4")
    assert not seal_verifies(tampered(sealed))
    assert not seal_verifies(b"<no-es-un-cfdi/>") and not seal_verifies(b"")


def test_an_invoice_against_the_schema_is_refused_before_it_is_sealed(signer: Signer) -> None:
    invoice = ingreso()
    invoice["Emisor"]["Rfc"] = "NO-ES-RFC"
    with pytest.raises(CfdiInvalid) as refused:
        seal(invoice, signer)
    assert "Rfc" in refused.value.detail and "NO-ES-RFC" in refused.value.detail


def test_the_pac_stamps_a_sealed_invoice(
    pac_settings: Settings, pac_server: PacServer, sealed: bytes
) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    stamped = stamp(pac_settings, sealed)

    assert validates(stamped.xml) and seal_verifies(stamped.xml)
    assert tfd_verifies(stamped.xml, pac_server.certificate)
    tfd = CFDI.from_string(stamped.xml)["Complemento"]["TimbreFiscalDigital"]
    assert (tfd["Version"], tfd["UUID"], tfd["RfcProvCertif"]) == ("1.1", stamped.uuid, "LSO1306189R5")
    assert before <= stamped.stamped_at <= datetime.now(UTC) and stamped.stamped_at.tzinfo == MEXICO_CITY
    # What satcfdi's client sent: the platform's token as a Bearer, in its own words.
    (headers,) = pac_server.requests
    assert headers["authorization"] == f"Bearer {pac_server.token}"
    assert headers["user-agent"].startswith("python-satcfdi/")


def test_stamping_the_same_invoice_again_gives_the_same_uuid(
    pac_settings: Settings, pac_server: PacServer, sealed: bytes, signer: Signer
) -> None:
    first = stamp(pac_settings, sealed)
    again = stamp(pac_settings, sealed)  # SW answers "307. El comprobante contiene un timbre previo."
    assert (again.uuid, again.xml) == (first.uuid, first.xml)
    # Two workers sending it at once get one stamp between them.
    other = seal(ingreso(folio="2"), signer)
    uuids = at_once(lambda: stamp(pac_settings, other).uuid)
    assert len(uuids) == 2 and len(set(uuids)) == 1 and uuids[0] != first.uuid
    assert len(pac_server.stamps) == 2


def test_a_pac_that_is_down_or_hangs_leaves_the_invoice_waiting(
    pac_settings: Settings, pac_server: PacServer, sealed: bytes
) -> None:
    pac_server.mode = "down"  # 503, and not even SW's JSON
    with pytest.raises(PacUnavailable) as unavailable:
        stamp(pac_settings, sealed)
    assert type(unavailable.value) is PacUnavailable and unavailable.value.status_code == 503

    pac_server.mode = "hang"
    started = datetime.now(UTC)
    with pytest.raises(PacUnavailable):
        stamp(pac_settings.model_copy(update={"pac_timeout_seconds": 1}), sealed)  # gives up after 1 s
    assert datetime.now(UTC) - started < timedelta(seconds=10)

    pac_server.stop()  # nobody listening: the connection is refused
    with pytest.raises(PacUnavailable):
        stamp(pac_settings, sealed)
    assert pac_server.stamps == {}


def test_a_pac_answering_nonsense_counts_as_unavailable(
    settings: Settings, pac_server: PacServer, sealed: bytes
) -> None:
    # A PAC_URL that is not a PAC (here: a path the loopback server does not serve): a 404, not SW's JSON.
    lost = pac_server.settings(settings, timeout=1).model_copy(update={"pac_url": pac_server.url + "/otro"})
    with pytest.raises(PacUnavailable):
        stamp(lost, sealed)


def test_a_tampered_invoice_never_reaches_the_pac(
    pac_settings: Settings, pac_server: PacServer, sealed: bytes
) -> None:
    with pytest.raises(BrokenSeal):
        stamp(pac_settings, tampered(sealed))
    assert pac_server.requests == []


def test_the_pac_refusing_the_invoice_says_why(
    pac_settings: Settings, pac_server: PacServer, sealed: bytes
) -> None:
    # The PAC checks the seal too: what `stamp` never sends, SW refuses with its own words.
    with pytest.raises(PacRejected) as rejected:
        submit(pac_settings, tampered(sealed))
    assert (rejected.value.pac_code, rejected.value.reason) == ("CFDI40102", BROKEN_SEAL)
    assert pac_server.stamps == {}

    pac_server.mode = "refuse"
    with pytest.raises(PacRejected) as rejected:
        stamp(pac_settings, sealed)
    assert (rejected.value.pac_code, rejected.value.reason) == (
        "CFDI40145",
        "CFDI40145 - El campo Nombre del receptor no corresponde.",
    )
    assert rejected.value.detail == (
        "El PAC rechazó la factura (CFDI40145): CFDI40145 - El campo Nombre del receptor no corresponde."
    )


def test_an_invoice_dated_more_than_72_hours_ago_is_refused(pac_settings: Settings, signer: Signer) -> None:
    old = datetime.now(MEXICO_CITY).replace(tzinfo=None, microsecond=0) - timedelta(hours=73)
    with pytest.raises(PacRejected) as rejected:
        stamp(pac_settings, seal(ingreso(fecha=old), signer))
    assert rejected.value.pac_code == "401" and "72 horas" in rejected.value.reason


def test_a_wrong_token_is_a_clear_error_and_the_invoice_waits(
    pac_settings: Settings, pac_server: PacServer, sealed: bytes
) -> None:
    for token, said in [("caducado", "El token debe contener 3 partes"), ("a.b.c", "Token no válido")]:
        wrong = pac_settings.model_copy(update={"pac_token": type(pac_settings.pac_token)(token)})
        with pytest.raises(PacCredentialsRefused) as refused:
            stamp(wrong, sealed)
        assert isinstance(refused.value, PacUnavailable)  # the producer can do nothing about it
        assert "PAC_TOKEN" in refused.value.detail and said in refused.value.detail
    assert pac_server.stamps == {}


def test_without_a_pac_nothing_is_stamped(settings: Settings, sealed: bytes) -> None:
    assert settings.pac_provider is None
    with pytest.raises(PacNotConfigured):
        stamp(settings, sealed)


def test_a_pac_needs_its_token() -> None:
    with pytest.raises(ValueError, match="PAC_TOKEN"):
        Settings(pac_provider="swsapien", _env_file=None)


def test_the_committed_sample_is_a_stamped_cfdi() -> None:
    xml = SAMPLE.read_bytes()
    assert validates(xml) and seal_verifies(xml)
    assert tfd_verifies(xml, PAC_CERTIFICATE.read_bytes())
    cfdi = CFDI.from_string(xml)
    assert (cfdi["TipoDeComprobante"], cfdi["MetodoPago"], cfdi["Receptor"]["Rfc"]) == (
        "I",
        "PUE",
        "XAXX010101000",
    )
