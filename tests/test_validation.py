"""What a client sends that the database or the code cannot take is a 422 naming the field, on the API and
on the pages, never a 500: NUL bytes in text, a scalar where a list belongs, numbers past their range,
Unicode digits and words where a form expects a number."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from market.accounts.models import User
from market.catalog.models import Listing
from market.catalog.schemas import ListingCreate
from market.db import utcnow
from market.i18n import current_locale
from market.linking.schemas import DemandCreate
from market.orders.models import CartItem
from market.organizations.models import Organization
from market.organizations.schemas import OrganizationCreate, OrganizationUpdate
from market.validation import field_errors
from tests.helpers import (
    INSTITUTION,
    LISTING_DEFAULTS,
    ORG_DEFAULTS,
    TOKENS,
    api_token,
    count,
    csrf_of,
    log_in,
)
from tests.pages import error_fields, field_error, flash, flashes

NUL = "\x00"


@pytest.fixture
def lenient(app: FastAPI) -> Iterator[TestClient]:
    """A client that reports a server error as a 500 response, like a browser would see it."""
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        yield client


def fields_of(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return dict(response.json()["fields"])


def names(response: Any) -> set[str]:
    """The fields a 422 names, without the position inside a list ("tiers.0.quantity" -> "tiers")."""
    return {key.split(".")[0] for key in fields_of(response)}


# --- NUL bytes --------------------------------------------------------------------------------------


def test_a_nul_byte_in_a_json_field_is_a_422_naming_it_and_nothing_is_written(
    lenient: TestClient, session: Session, make_user: Any, make_org: Any
) -> None:
    owner = make_user()
    org = make_org(owner)
    headers = api_token(lenient, owner.email)
    before = (count(session, User), count(session, Organization), count(session, Listing))

    register = lenient.post(
        "/api/v1/auth/register", json={"name": f"Eva{NUL}", "email": "eva@example.mx", "password": "x" * 12}
    )
    new_org = lenient.post(
        "/api/v1/organizations", json=ORG_DEFAULTS | {"name": f"Flor{NUL}"}, headers=headers
    )
    listing = lenient.post(
        f"/api/v1/organizations/{org.slug}/listings",
        json=LISTING_DEFAULTS
        | {"tiers": [{"min_quantity": 10, "unit_price_cents": 1}], "title": f"Café{NUL}"},
        headers=headers,
    )
    nested = lenient.post(
        f"/api/v1/organizations/{org.slug}/listings",
        json=LISTING_DEFAULTS | {"delivery_states": ["07", f"2{NUL}"]},
        headers=headers,
    )
    login = lenient.post(TOKENS, json={"email": f"ana@example.mx{NUL}", "password": "x"})

    assert "name" in fields_of(register)
    assert "name" in fields_of(new_org)
    assert "title" in fields_of(listing)
    assert "delivery_states.1" in fields_of(nested)
    assert "email" in fields_of(login)
    assert (count(session, User), count(session, Organization), count(session, Listing)) == before


def test_a_nul_byte_in_a_query_or_a_path_is_refused(lenient: TestClient) -> None:
    search = lenient.get("/api/v1/search", params={"q": f"café{NUL}"})
    listings = lenient.get("/api/v1/listings", params={"organization": f"flor{NUL}"})
    page = lenient.get("/buscar", params={"q": f"miel{NUL}"})

    assert "q" in fields_of(search)
    assert "organization" in fields_of(listings)
    assert page.status_code == 422 and "q" in error_fields(page)
    assert lenient.get("/api/v1/organizations/flor%00").status_code == 404
    assert lenient.get("/productores/flor%00").status_code == 404


def test_a_nul_byte_in_a_page_form_is_a_422_page_in_the_persons_language(
    lenient: TestClient, session: Session, make_user: Any
) -> None:
    owner = make_user()
    log_in(lenient, owner.email)
    token = csrf_of(lenient, "/panel/organizaciones/nueva")
    form = {k: str(v) for k, v in ORG_DEFAULTS.items()} | {"csrf_token": token, "name": f"Flor{NUL}"}

    spanish = lenient.post("/panel/organizaciones/nueva", data=form)
    lenient.get("/idioma/en")
    english = lenient.post("/panel/organizaciones/nueva", data=form)
    signed_out = TestClient(lenient.app, raise_server_exceptions=False)
    login = signed_out.post(
        "/entrar", data={"email": f"ana@example.mx{NUL}", "password": "x", "csrf_token": csrf_of(signed_out)}
    )

    assert spanish.status_code == 422 and "carácter" in error_fields(spanish)["name"]
    assert english.status_code == 422 and "character" in error_fields(english)["name"]
    assert login.status_code == 422 and "email" in error_fields(login)
    assert count(session, Organization) == 0


# --- a scalar where a list belongs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sdgs": 1.5}, "sdgs"),
        ({"sdgs": True}, "sdgs"),
        ({"sdgs": [1.5]}, "sdgs"),
        ({"sdgs": {"a": 1}}, "sdgs"),
        ({"certifications": True}, "certifications"),
        ({"certifications": 7}, "certifications"),
        ({"certifications": [["spp"]]}, "certifications"),
    ],
)
def test_a_scalar_where_the_organization_expects_a_list_is_a_422(
    lenient: TestClient, session: Session, make_user: Any, make_org: Any, change: dict[str, Any], field: str
) -> None:
    owner = make_user()
    org = make_org(owner)
    headers = api_token(lenient, owner.email)

    created = lenient.post(
        "/api/v1/organizations", json=ORG_DEFAULTS | {"name": "Otra"} | change, headers=headers
    )
    patched = lenient.patch(f"/api/v1/organizations/{org.slug}", json=change, headers=headers)

    assert field in names(created)
    assert field in names(patched)
    assert count(session, Organization) == 1


@pytest.mark.parametrize("states", [5, True, 1.5, {"07": 1}, [["07"]]])
def test_a_scalar_where_a_listing_expects_its_delivery_states_is_a_422(
    lenient: TestClient, session: Session, make_user: Any, make_org: Any, make_listing: Any, states: Any
) -> None:
    owner = make_user()
    org = make_org(owner)
    listing = make_listing(org)
    headers = api_token(lenient, owner.email)

    created = lenient.post(
        f"/api/v1/organizations/{org.slug}/listings",
        json=LISTING_DEFAULTS | {"delivery_states": states},
        headers=headers,
    )
    patched = lenient.patch(
        f"/api/v1/listings/{listing.id}", json={"delivery_states": states}, headers=headers
    )

    assert "delivery_states" in names(created)
    assert "delivery_states" in names(patched)
    assert count(session, Listing) == 1


# --- numbers typed in page forms and URLs -----------------------------------------------------------


def shown_after(client: TestClient, response: Any) -> list[str]:
    """What a person is told after adding to the cart: beside the quantity, on the page that answers, or
    in the message of the page it redirects to."""
    assert response.status_code in (303, 422), response.text
    if response.status_code == 422:
        return [field_error(response, "quantity") or ""]
    return flashes(client.get(response.headers["location"]), "error")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("listing_id", "abc", "Escribe un número entero."),
        ("listing_id", "²", "Escribe un número entero."),
        ("listing_id", str(2**63), "Debe ser como máximo 2147483647."),
        ("quantity", "²", "Escribe un número entero."),
        ("quantity", str(2**63), "Debe ser como máximo 10000000."),
    ],
)
def test_a_cart_form_number_that_is_not_one_is_explained_and_nothing_added(
    lenient: TestClient,
    session: Session,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
    field: str,
    value: str,
    message: str,
) -> None:
    listing = make_listing(make_org(make_user()))
    token = csrf_of(lenient, f"/productos/{listing.id}/{listing.slug}")
    form = {"listing_id": str(listing.id), "quantity": "1", "csrf_token": token}

    response = lenient.post("/carrito/agregar", data=form | {field: value})

    assert message in shown_after(lenient, response)
    assert count(session, CartItem) == 0


def test_a_delivery_choice_for_a_producer_that_is_not_a_number_is_a_422_naming_it(
    lenient: TestClient, make_user: Any
) -> None:
    log_in(lenient, make_user().email)
    token = csrf_of(lenient, "/carrito")
    form = {"payment_method": "spei_transfer", "delivery.²": "pickup", "csrf_token": token}

    response = lenient.post("/carrito/pagar", data=form)

    assert response.status_code == 422
    assert error_fields(response)["delivery.²"] == "Escribe un número entero."


@pytest.mark.parametrize(("year", "message"), [("²", "Escribe un número entero."), ("1999", "2000")])
def test_an_impact_year_that_is_not_one_is_a_422_naming_it(
    lenient: TestClient, year: str, message: str
) -> None:
    page = lenient.get("/impacto", params={"year": year})
    csv = lenient.get("/impacto.csv", params={"year": year})

    assert page.status_code == 422 and message in error_fields(page)["year"]
    assert csv.status_code == 422
    assert lenient.get("/api/v1/impacto", params={"year": year}).status_code == 422


def test_an_institutions_producer_past_the_id_range_is_refused_in_place(
    lenient: TestClient, make_user: Any, make_org: Any
) -> None:
    owner = make_user()
    make_org(owner)  # the form offers the organizations of its own
    log_in(lenient, owner.email)
    form = {
        "name": "Escuela Primaria Benito Juárez",
        "kind": "school",
        "rfc": "EPB850101AB1",
        "razon_social": "Escuela Primaria Benito Juárez A.C.",
        "regimen_fiscal": "603",
        "codigo_postal": "68000",
        "state": "20",
        "municipality": "Oaxaca de Juárez",
        "producer_organization_id": str(2**63),
        "csrf_token": csrf_of(lenient, "/instituciones/nueva"),
    }

    response = lenient.post("/instituciones/nueva", data=form)

    assert response.status_code == 422
    assert field_error(response, "producer_organization_id") == "Elige una de tus organizaciones."


# --- what an outside probe found ----------------------------------------------------------------------


def test_the_frameworks_own_refusals_speak_the_persons_language(lenient: TestClient) -> None:
    unknown = lenient.get("/api/v1/no-existe")
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"error": "not_found", "detail": "No encontramos lo que buscas."},
    )
    english = lenient.get("/api/v1/no-existe", headers={"Accept-Language": "en;q=0.1, es;q=0.9"})
    assert english.json()["detail"] == "No encontramos lo que buscas."  # Spanish is preferred there
    assert lenient.get("/api/v1/no-existe", headers={"Accept-Language": "en"}).json()["detail"] == (
        "We couldn't find what you're looking for."
    )
    wrong_method = lenient.delete("/api/v1/listings")
    assert wrong_method.status_code == 405 and "Not Allowed" not in wrong_method.text
    broken = lenient.post(
        "/carrito/agregar",
        content=b"--x\r\nnot a part",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert broken.status_code in (400, 403) and "multipart" not in broken.text.lower()


def test_a_price_past_its_limit_is_explained_in_pesos(
    client: TestClient, make_user: Any, make_org: Any
) -> None:
    owner = make_user()
    org = make_org(owner)
    response = client.post(
        f"/api/v1/organizations/{org.slug}/listings",
        headers=api_token(client, owner.email),
        json=LISTING_DEFAULTS | {"price_cents": 2_000_000_000},
    )
    assert fields_of(response)["price_cents"] == "Debe ser como máximo $10,000,000.00."


@pytest.mark.parametrize("postal_code", ["٦٨٠٠٠", "６８０００", "²²²²²"])
def test_digits_of_other_scripts_are_no_postal_code_or_phone(
    client: TestClient, make_user: Any, make_org: Any, postal_code: str
) -> None:

    owner = make_user()
    org = make_org(owner)
    headers = api_token(client, owner.email)
    institution = client.post(
        "/api/v1/buyer-organizations", headers=headers, json=INSTITUTION | {"codigo_postal": postal_code}
    )
    assert "codigo_postal" in fields_of(institution)
    phone = client.patch(f"/api/v1/organizations/{org.slug}", headers=headers, json={"phone": "٩٥١١٢٣٤٥٦٧"})
    assert "phone" in fields_of(phone)


def test_a_recurring_schedule_far_in_the_future_is_refused_when_the_demand_is_written(
    client: TestClient, make_user: Any
) -> None:
    from tests.linking.conftest import demand_body

    headers = api_token(client, make_user("compras@escuela.mx").email)
    institution = client.post("/api/v1/buyer-organizations", headers=headers, json=INSTITUTION).json()
    far = demand_body(first_delivery="9999-12-24", every_days=30, deliveries=52)
    response = client.post(
        f"/api/v1/buyer-organizations/{institution['id']}/demands", headers=headers, json=far
    )
    assert "first_delivery" in fields_of(response)


def test_an_image_far_over_the_pixel_limit_is_called_too_large(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    import io

    from PIL import Image

    owner = make_user()
    listing = make_listing(make_org(owner))
    buffer = io.BytesIO()
    Image.new("1", (14_000, 14_000)).save(buffer, "PNG")  # ~196 megapixels in a small file
    response = client.post(
        f"/api/v1/listings/{listing.id}/photos",
        headers=api_token(client, owner.email),
        files={"file": ("grande.png", buffer.getvalue(), "image/png")},
    )
    assert response.status_code == 422 and "mide 14000 × 14000 px" in response.json()["detail"]


def test_an_administrator_confirming_a_transfer_with_an_over_long_key_gets_a_message(
    client: TestClient, settings: Any, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    from market.db import transaction
    from market.orders.checkout import checkout
    from market.orders.schemas import Checkout

    listing = make_listing(make_org(make_user("cafe@example.mx")))
    make_user("admin@example.mx", is_admin=True)
    with transaction(client.app.state.engine) as tx:  # type: ignore[attr-defined]
        order = checkout(
            tx,
            settings,
            make_user("eva@example.mx"),
            Checkout(items=[{"listing_id": listing.id, "quantity": 1}]),
        )
    log_in(client, "admin@example.mx")
    token = csrf_of(client, "/admin/pagos")
    response = client.post(f"/admin/pagos/{order.id}", data={"reference": "A" * 500, "csrf_token": token})
    assert response.status_code == 303
    assert "de 4 a 40 caracteres" in flash(client.get("/admin/pagos"), "error")


def test_a_malformed_email_and_an_empty_required_text_say_what_is_wanted(client: TestClient) -> None:
    register = client.post(
        "/api/v1/auth/register", json={"name": "Ana", "email": "ana-sin-arroba", "password": "x" * 12}
    )
    token = client.post(
        TOKENS,
        json={"email": "ana@example.mx", "password": "x" * 12, "name": ""},
        headers={"accept-language": "en"},
    )

    assert register.status_code == 422
    assert register.json()["fields"] == {"email": "Escribe un correo válido, como nombre@ejemplo.mx."}
    assert token.status_code == 422
    assert token.json()["fields"] == {"name": "This field is required."}  # not "at least 1 characters"


# --- vocabularies -----------------------------------------------------------------------------------

DEMAND = {
    "title": "Café para la cafetería escolar",
    "category": "cafe",
    "quantity": 40,
    "unit": "kg",
    "delivery_state": "20",
    "delivery_municipality": "Oaxaca de Juárez",
    "delivery_address": "Av. Independencia 100",
    "first_delivery": date.today() + timedelta(days=30),
    "quote_deadline": utcnow() + timedelta(days=10),
}


SCHEMAS: dict[str, tuple[type[BaseModel], dict[str, Any]]] = {
    "listing": (ListingCreate, LISTING_DEFAULTS),
    "organization": (OrganizationCreate, ORG_DEFAULTS),
    "demand": (DemandCreate, DEMAND),
}


@pytest.mark.parametrize(
    ("schema", "change", "spanish", "english"),
    [
        ("listing", {"delivery_states": ["07", "33"]}, "Entidad desconocida: 33.", "Unknown state: 33."),
        (
            "listing",
            {"category": "juguetes"},
            "Elige una categoría de la lista.",
            "Choose a category from the list.",
        ),
        (
            "organization",
            {"certifications": ["spp", "iso9001"]},
            "Certificación desconocida: iso9001.",
            "Unknown certification: iso9001.",
        ),
        ("organization", {"sdgs": [5, 18]}, "Los ODS van del 1 al 17.", "SDGs go from 1 to 17."),
        (
            "organization",
            {"state": "33"},
            "Elige una de las 32 entidades federativas.",
            "Choose one of the 32 federal entities.",
        ),
        (
            "demand",
            {"required_certifications": ["iso9001"]},
            "Certificación desconocida: iso9001.",
            "Unknown certification: iso9001.",
        ),
        (
            "demand",
            {"preferred_legal_forms": ["sa_de_cv"]},
            "Elige una forma jurídica de la lista.",
            "Choose a legal form from the list.",
        ),
        ("demand", {"unit": "barril"}, "Elige una unidad de la lista.", "Choose a unit from the list."),
    ],
)
def test_a_value_outside_its_vocabulary_refuses_the_field_in_the_persons_language(
    schema: str, change: dict[str, Any], spanish: str, english: str
) -> None:
    """The field as a whole (a form shows one message beside it), naming the unknown value."""
    model, defaults = SCHEMAS[schema]
    with pytest.raises(ValidationError) as refused:
        model(**defaults | change)

    [field] = change
    assert field_errors(refused.value) == {field: spanish}
    locale = current_locale.set("en")
    try:
        assert field_errors(refused.value) == {field: english}
    finally:
        current_locale.reset(locale)


def test_several_values_of_a_vocabulary_are_read_as_people_write_them() -> None:
    """One value or a text separated by commas stands for a list; each value once, in the vocabulary's
    order; a state typed as "7" is "07"."""
    listing = ListingCreate(**LISTING_DEFAULTS | {"delivery_states": "20; 7, 07"})
    organization = OrganizationCreate(**ORG_DEFAULTS | {"certifications": "spp", "sdgs": ["8", 5, 8]})
    demand = DemandCreate(**DEMAND | {"preferred_legal_forms": ["sss", "ejido", "sss"]})

    assert listing.delivery_states == ["07", "20"]
    assert (organization.certifications, organization.sdgs) == (["spp"], [5, 8])
    assert demand.preferred_legal_forms == ["ejido", "sss"]
    assert OrganizationCreate(**ORG_DEFAULTS | {"certifications": None}).certifications == []
    assert OrganizationUpdate(certifications=None).certifications is None  # a partial update leaves it
