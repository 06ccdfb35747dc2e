"""A producer's fiscal profile (razón social, régimen fiscal, código postal fiscal) and its CSD: an owner
fills them in through the Facturación page or the API; each wrong input is refused with a message beside
its field and nothing written; members who are not owners see them, nobody else does."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.db import utcnow
from market.invoicing.csd import CsdFiles, make_test_csd
from market.organizations.models import Membership, Organization
from tests.helpers import api_token, csrf_of, database_state, fresh, signed_in
from tests.pages import facts, field_error, flash, form_actions, one, soup, text_of

RFC = "CFC050312AB4"  # tests.helpers.ORG_DEFAULTS: a persona moral
LEGAL_NAME = "COOPERATIVA FLOR DE CAFE"
FISCAL = {"legal_name": "Cooperativa  Flor de Café", "tax_regime": "601", "postal_code": "29350"}


@cache
def csd_of(rfc: str = RFC, **options: Any) -> CsdFiles:
    """Generating RSA keys takes a moment: each kind of test CSD once per process."""
    return make_test_csd(rfc, LEGAL_NAME, **options)


def expired_csd() -> CsdFiles:
    return csd_of(valid_from=utcnow() - timedelta(days=400), days=30)


def mixed_csd() -> CsdFiles:
    """The certificate of one CSD with the key (and password) of another."""
    other = csd_of(certificate_number="30001000000500009999")
    return CsdFiles(certificate=csd_of().certificate, key=other.key, password=other.password)


@pytest.fixture
def people(make_user: Any, make_org: Any, session: Session) -> dict[str, Any]:
    owner = make_user("rosa@example.mx", name="Rosa Pérez")
    member = make_user("juana@example.mx", name="Juana Gómez")
    org = make_org(owner)
    session.add(Membership(user_id=member.id, organization_id=org.id, role="member"))
    other_owner = make_user("luis@example.mx", name="Luis Díaz")
    make_org(other_owner, name="Miel de la Montaña", rfc="MMO990101AB2")
    session.commit()
    return {"owner": owner, "member": member, "other_owner": other_owner, "org": org}


def page_url(org: Organization) -> str:
    return f"/panel/o/{org.slug}/facturacion"


def files_of(csd: CsdFiles) -> dict[str, tuple[str, bytes, str]]:
    return {
        "certificate": ("00001000000500003416.cer", csd.certificate, "application/octet-stream"),
        "key": ("CSD_Flor_de_Cafe.key", csd.key, "application/octet-stream"),
    }


def post_csd_page(client: TestClient, org: Organization, csd: CsdFiles, password: str | None = None) -> Any:
    token = csrf_of(client, page_url(org))
    data = {"csrf_token": token, "password": csd.password if password is None else password}
    return client.post(f"{page_url(org)}/csd", data=data, files=files_of(csd))


def post_csd_api(client: TestClient, org: Organization, csd: CsdFiles, headers: dict[str, str]) -> Any:
    return client.post(
        f"/api/v1/organizations/{org.slug}/csd",
        data={"password": csd.password},
        files=files_of(csd),
        headers=headers,
    )


# --- the fiscal data ------------------------------------------------------------------------------------


def test_the_owner_saves_the_fiscal_data_on_the_page_as_the_sat_writes_them(
    app: FastAPI, session: Session, people: dict[str, Any]
) -> None:
    org = people["org"]
    browser = signed_in(app, "rosa@example.mx")
    assert page_url(org) in [a["href"] for a in soup(browser.get(f"/panel/o/{org.slug}").text).select("a")]

    response = browser.post(
        f"{page_url(org)}/datos", data=FISCAL | {"csrf_token": csrf_of(browser, page_url(org))}
    )

    assert response.status_code == 303 and response.headers["location"] == page_url(org)
    stored = fresh(session, Organization, org.id)
    assert (stored.legal_name, stored.tax_regime, stored.fiscal_postal_code) == (
        "COOPERATIVA FLOR DE CAFÉ",
        "601",
        "29350",
    )
    page = browser.get(page_url(org)).text
    assert flash(page, "success") == "Guardamos los datos fiscales."
    assert facts(page, "#fiscal-facts") == {
        "RFC": f"{RFC} · persona moral",
        "Razón social": "COOPERATIVA FLOR DE CAFÉ",
        "Régimen fiscal": "601 · General de Ley Personas Morales",
        "Código postal fiscal": "29350",
    }


def test_the_owner_saves_the_fiscal_data_through_the_api(client: TestClient, people: dict[str, Any]) -> None:
    org = people["org"]
    headers = api_token(client, "rosa@example.mx")

    response = client.put(f"/api/v1/organizations/{org.slug}/fiscal-profile", json=FISCAL, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "rfc": RFC,
        "person": "moral",
        "legal_name": "COOPERATIVA FLOR DE CAFÉ",
        "tax_regime": "601",
        "tax_regime_name": "General de Ley Personas Morales",
        "postal_code": "29350",
        "complete": True,
        "csd": None,
        "may_edit": True,
    }
    assert client.get(f"/api/v1/organizations/{org.slug}/fiscal-profile", headers=headers).json() == (
        response.json()
    )


def test_a_persona_fisica_gets_the_regimes_of_a_persona_fisica(
    app: FastAPI, client: TestClient, session: Session, people: dict[str, Any]
) -> None:
    org = people["org"]
    org.rfc = "GOMJ800101AB1"  # 13 characters: a person
    session.add(org)
    session.commit()
    headers = api_token(client, "rosa@example.mx")

    response = client.put(
        f"/api/v1/organizations/{org.slug}/fiscal-profile",
        json=FISCAL | {"tax_regime": "612"},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["person"] == "fisica"
    page = signed_in(app, "rosa@example.mx").get(page_url(org)).text
    offered = [o["value"] for o in soup(page).select("select[name='tax_regime'] option") if o["value"]]
    assert "612" in offered and "626" in offered and "601" not in offered


BAD_FISCAL = [
    pytest.param(
        {"tax_regime": "612"},
        "tax_regime",
        "El régimen 612 es de personas físicas y el RFC de 12 caracteres es de una persona moral.",
        id="regime-of-a-persona-fisica",
    ),
    pytest.param(
        {"tax_regime": "616"},
        "tax_regime",
        "«616» no es un régimen fiscal del catálogo del SAT con el que se pueda facturar.",
        id="regime-that-does-not-invoice",
    ),
    pytest.param(
        {"postal_code": "00100"},
        "postal_code",
        "El código postal «00100» no está en el catálogo del SAT: escribe los 5 dígitos del domicilio "
        "fiscal de tu Constancia de Situación Fiscal.",
        id="unknown-postal-code",
    ),
    pytest.param(
        {"legal_name": "Cooperativa Flor de Café S.C. de R.L. de C.V."},
        "legal_name",
        "Escribe la razón social sin el régimen societario (por ejemplo, sin «S.C. de R.L. de C.V.»), tal "
        "como aparece en tu Constancia de Situación Fiscal.",
        id="with-regimen-societario",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_FISCAL)
def test_wrong_fiscal_data_is_refused_beside_its_field_on_the_page_and_in_the_api(
    app: FastAPI,
    client: TestClient,
    engine: Engine,
    people: dict[str, Any],
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    org = people["org"]
    browser = signed_in(app, "rosa@example.mx")
    headers = api_token(client, "rosa@example.mx")
    before = database_state(engine)

    api = client.put(
        f"/api/v1/organizations/{org.slug}/fiscal-profile", json=FISCAL | change, headers=headers
    )
    page = browser.post(
        f"{page_url(org)}/datos", data=FISCAL | change | {"csrf_token": csrf_of(browser, page_url(org))}
    )

    assert api.status_code == 422 and api.json()["fields"] == {field: message}
    assert page.status_code == 422 and field_error(page.text, field) == message
    assert one(page.text, "input[name='postal_code']")["value"] == (FISCAL | change)["postal_code"]
    assert database_state(engine) == before


def test_without_an_rfc_the_fiscal_data_and_the_csd_wait_for_it(
    app: FastAPI, client: TestClient, session: Session, engine: Engine, people: dict[str, Any]
) -> None:
    org = people["org"]
    org.rfc = None
    session.add(org)
    session.commit()
    headers = api_token(client, "rosa@example.mx")
    browser = signed_in(app, "rosa@example.mx")
    before = database_state(engine)

    fiscal = client.put(f"/api/v1/organizations/{org.slug}/fiscal-profile", json=FISCAL, headers=headers)
    csd = post_csd_api(client, org, csd_of(), headers)
    page = post_csd_page(browser, org, csd_of())

    needs_rfc = "Primero registra el RFC de la organización (en «Editar datos»)"
    assert fiscal.status_code == 422 and fiscal.json()["fields"]["rfc"].startswith(needs_rfc)
    assert csd.status_code == 409 and csd.json()["error"] == "rfc_required"
    assert csd.json()["detail"].startswith(needs_rfc)
    assert page.status_code == 409 and flash(page.text, "error").startswith(needs_rfc)
    assert database_state(engine) == before


# --- the CSD --------------------------------------------------------------------------------------------


def test_the_owner_uploads_the_csd_on_the_page_and_sees_its_number_and_validity(
    app: FastAPI, session: Session, people: dict[str, Any]
) -> None:
    org = people["org"]
    browser = signed_in(app, "rosa@example.mx")

    response = post_csd_page(browser, org, csd_of())

    assert response.status_code == 303, response.text
    page = browser.get(page_url(org)).text
    assert flash(page, "success") == (
        "Guardamos el CSD número 30001000000500003416. La llave privada y su contraseña quedan cifradas."
    )
    shown = facts(page, "#csd-facts")
    assert shown["Número de certificado"] == "30001000000500003416" and shown["RFC"] == RFC
    assert "vence el" in shown["Vigencia"] and shown["Subido"].endswith("Rosa Pérez")
    assert "12345678a" not in page


def test_the_owner_uploads_the_csd_through_the_api_and_gets_it_back_without_its_key(
    client: TestClient, people: dict[str, Any]
) -> None:
    org = people["org"]
    headers = api_token(client, "rosa@example.mx")

    response = post_csd_api(client, org, csd_of(), headers)

    assert response.status_code == 200, response.text
    csd = response.json()["csd"]
    assert set(csd) == {
        "rfc",
        "certificate_number",
        "valid_from",
        "valid_until",
        "uploaded_at",
        "uploaded_by_name",
        "expires_soon",
        "expired",
    }
    assert (csd["rfc"], csd["certificate_number"], csd["expires_soon"]) == (
        RFC,
        "30001000000500003416",
        False,
    )


def test_a_new_csd_replaces_the_one_the_organization_had(client: TestClient, people: dict[str, Any]) -> None:
    org = people["org"]
    headers = api_token(client, "rosa@example.mx")
    post_csd_api(client, org, csd_of(), headers)

    response = post_csd_api(client, org, csd_of(certificate_number="30001000000500007777"), headers)

    assert response.status_code == 200, response.text
    assert response.json()["csd"]["certificate_number"] == "30001000000500007777"


BAD_CSDS = [
    pytest.param(
        lambda: csd_of(), "otra-contraseña", "password", "La contraseña no abre", id="wrong-password"
    ),
    pytest.param(mixed_csd, None, "key", "La llave privada (.key) no corresponde", id="key-of-another"),
    pytest.param(
        lambda: csd_of("OTR010101AB1"),
        None,
        "certificate",
        f"El certificado es del RFC OTR010101AB1, no del RFC de la organización ({RFC}).",
        id="another-rfc",
    ),
    pytest.param(
        lambda: csd_of(fiel=True), None, "certificate", "Este certificado es una e.firma", id="fiel"
    ),
    pytest.param(expired_csd, None, "certificate", "El certificado venció el", id="expired"),
]


@pytest.mark.parametrize(("make", "password", "field", "message"), BAD_CSDS)
def test_a_wrong_csd_is_refused_beside_its_field_and_nothing_is_stored(
    app: FastAPI,
    client: TestClient,
    engine: Engine,
    people: dict[str, Any],
    make: Any,
    password: str | None,
    field: str,
    message: str,
) -> None:
    org = people["org"]
    files = make()
    if password is not None:
        files = CsdFiles(files.certificate, files.key, password)
    headers = api_token(client, "rosa@example.mx")
    browser = signed_in(app, "rosa@example.mx")
    before = database_state(engine)

    api = post_csd_api(client, org, files, headers)
    page = post_csd_page(browser, org, files)

    assert api.status_code == 422 and list(api.json()["fields"]) == [field]
    assert api.json()["fields"][field].startswith(message)
    assert page.status_code == 422 and (field_error(page.text, field) or "").startswith(message)
    assert flash(page.text, "error") == "No guardamos el CSD: revisa los datos marcados."
    assert database_state(engine) == before


def test_the_key_and_its_password_are_not_stored_in_clear(
    client: TestClient, engine: Engine, people: dict[str, Any]
) -> None:
    org = people["org"]
    files = csd_of()
    post_csd_api(client, org, files, api_token(client, "rosa@example.mx"))

    cells = [cell for rows in database_state(engine).values() for row in rows for cell in row]

    stored = [bytes(c) for c in cells if isinstance(c, bytes | memoryview)]
    assert files.certificate in stored  # the certificate is public: every CFDI carries it
    assert not any(files.key[:64] in cell or files.password.encode() in cell for cell in stored)
    assert not any(files.password in str(cell) for cell in cells)


# --- who may ----------------------------------------------------------------------------------------------


def test_a_member_who_is_not_an_owner_sees_the_state_but_cannot_change_it(
    app: FastAPI, client: TestClient, engine: Engine, people: dict[str, Any]
) -> None:
    org = people["org"]
    post_csd_api(client, org, csd_of(), api_token(client, "rosa@example.mx"))
    headers = api_token(client, "juana@example.mx")
    browser = signed_in(app, "juana@example.mx")
    before = database_state(engine)

    state = client.get(f"/api/v1/organizations/{org.slug}/fiscal-profile", headers=headers)
    page = browser.get(page_url(org)).text
    fiscal = client.put(f"/api/v1/organizations/{org.slug}/fiscal-profile", json=FISCAL, headers=headers)
    csd = post_csd_api(client, org, csd_of(), headers)
    page_fiscal = browser.post(
        f"{page_url(org)}/datos", data=FISCAL | {"csrf_token": csrf_of(browser, page_url(org))}
    )
    page_csd = post_csd_page(browser, org, csd_of())

    assert state.status_code == 200 and state.json()["may_edit"] is False
    assert state.json()["csd"]["certificate_number"] == "30001000000500003416"
    assert facts(page, "#csd-facts")["Número de certificado"] == "30001000000500003416"
    assert not [action for action in form_actions(page) if "facturacion" in action]
    assert "Solo quien administra la organización" in text_of(one(page, "main"))
    assert [fiscal.status_code, csd.status_code, page_fiscal.status_code, page_csd.status_code] == [403] * 4
    assert database_state(engine) == before


def test_another_organizations_owner_and_a_visitor_are_refused(
    app: FastAPI, client: TestClient, engine: Engine, people: dict[str, Any]
) -> None:
    org = people["org"]
    headers = api_token(client, "luis@example.mx")
    browser = signed_in(app, "luis@example.mx")
    before = database_state(engine)

    outsider = [
        client.get(f"/api/v1/organizations/{org.slug}/fiscal-profile", headers=headers).status_code,
        client.put(
            f"/api/v1/organizations/{org.slug}/fiscal-profile", json=FISCAL, headers=headers
        ).status_code,
        post_csd_api(client, org, csd_of(), headers).status_code,
        browser.get(page_url(org)).status_code,
        post_csd_page(browser, org, csd_of()).status_code,
    ]
    anonymous = TestClient(app, follow_redirects=False)
    visitor = [
        anonymous.get(f"/api/v1/organizations/{org.slug}/fiscal-profile").status_code,
        anonymous.put(f"/api/v1/organizations/{org.slug}/fiscal-profile", json=FISCAL).status_code,
        post_csd_api(anonymous, org, csd_of(), {}).status_code,
    ]
    page = anonymous.get(page_url(org))

    assert outsider == [403] * 5
    assert visitor == [401] * 3
    assert page.status_code == 303 and page.headers["location"].startswith("/entrar")
    assert database_state(engine) == before
