"""A CSD is checked when it is uploaded: each wrong file or password is named, before anything is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from market.errors import ValidationFailed
from market.invoicing.csd import CsdFiles, check, make_test_csd

RFC = "CTZ0803115N4"
NAME = "COOPERATIVA TEJEDORAS DE ZINACANTAN"


@pytest.fixture(scope="module")
def csd() -> CsdFiles:
    return make_test_csd(RFC, NAME)


def refusal(certificate: bytes, key: bytes, password: str, rfc: str = RFC) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as refused:
        check(certificate, key, password, rfc)
    fields: dict[str, str] = refused.value.body()["fields"]
    return fields


def test_a_good_csd_gives_its_rfc_number_and_validity(csd: CsdFiles) -> None:
    facts = check(csd.certificate, csd.key, csd.password, RFC.lower())
    assert (facts.rfc, facts.legal_name, facts.certificate_number) == (RFC, NAME, "30001000000500003416")
    assert facts.valid_from < datetime.now(UTC) < facts.valid_until


def test_each_wrong_part_is_named(csd: CsdFiles) -> None:
    other = make_test_csd(RFC, NAME)
    assert refusal(csd.certificate, csd.key, "otra") == {
        "password": "La contraseña no abre la llave privada (.key): revisa la contraseña de tu CSD."
    }
    assert refusal(b"no es un certificado", csd.key, csd.password) == {
        "certificate": "El archivo .cer no es un certificado del SAT: sube el .cer de tu CSD."
    }
    assert refusal(csd.certificate, b"no es una llave", csd.password) == {
        "key": "El archivo .key no es una llave privada del SAT: sube el .key de tu CSD."
    }
    assert refusal(csd.certificate, other.key, other.password) == {
        "key": "La llave privada (.key) no corresponde a este certificado (.cer)."
    }


def test_a_csd_of_another_rfc_a_fiel_or_an_expired_one_is_refused(csd: CsdFiles) -> None:
    assert refusal(csd.certificate, csd.key, csd.password, rfc="XAXX010101000") == {
        "certificate": f"El certificado es del RFC {RFC}, no del RFC de la organización (XAXX010101000)."
    }
    fiel = make_test_csd(RFC, NAME, fiel=True)
    assert refusal(fiel.certificate, fiel.key, fiel.password) == {
        "certificate": "Este certificado es una e.firma (FIEL), no un CSD: para facturar se usa el CSD."
    }
    expired = make_test_csd(RFC, NAME, valid_from=datetime(2020, 1, 1, tzinfo=UTC), days=365)
    assert refusal(expired.certificate, expired.key, expired.password) == {
        "certificate": "El certificado venció el 2020-12-31: tramita un CSD nuevo en el portal del SAT."
    }
    future = make_test_csd(RFC, NAME, valid_from=datetime.now(UTC) + timedelta(days=3))
    assert "válido a partir del" in refusal(future.certificate, future.key, future.password)["certificate"]
