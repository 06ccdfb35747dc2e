"""The HTML face: forms with CSRF, errors shown in place with the typed values kept, who sees what."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.catalog.models import Listing, PriceTier
from market.config import Settings
from market.db import transaction
from market.ledger.models import LedgerEntry
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment
from market.orders.models import Order
from market.orders.schemas import Checkout
from market.organizations.models import Organization
from tests.helpers import PASSWORD, count, csrf_of, log_in, signed_in
from tests.pages import (
    Htmx,
    attr,
    checked_values,
    field_error,
    flashes,
    heading,
    is_fragment,
    main,
    one,
    soup,
    table_row,
    text_of,
    texts,
    value_of,
)
from tests.spreadsheets import NOT_TABLES, XLSX_TYPE, xlsx_bytes

ORG_FORM = {
    "name": "Unión de Apicultoras del Puuc",
    "legal_form": "sss",
    "rfc": "UAP100215QX8",
    "state": "31",
    "municipality": "Oxkutzcab",
    "members_count": "45",
    "women_members_count": "45",
    "certifications[]": ["organico_mexico", "participativa"],
}


def test_home_is_spanish_by_default_and_english_on_request(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    make_listing(make_org(make_user()))
    home = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert home.status_code == 200
    page = soup(home)
    assert attr(one(page, "html"), "lang") == "es-MX"
    card = one(page, ".listing-card")
    assert text_of(one(card, "h3")) == "Café de altura tostado en grano"
    assert text_of(one(card, ".price")).startswith("$320.00")

    switched = client.get("/idioma/en?next=/catalogo")
    assert switched.status_code == 303 and switched.headers["location"] == "/catalogo"
    assert attr(one(client.get("/"), "html"), "lang") == "en"


def test_language_switch_ignores_offsite_next(client: TestClient) -> None:
    assert client.get("/idioma/en?next=//evil.example").headers["location"] == "/"


def test_forms_without_csrf_token_are_refused_and_write_nothing(client: TestClient, session: Session) -> None:
    response = client.post("/registro", data={"name": "Eva", "email": "eva@example.mx", "password": PASSWORD})
    assert response.status_code == 403
    assert "La página caducó." in text_of(one(response, "main"))
    assert count(session, User) == 0


def test_registration_errors_keep_what_was_typed(client: TestClient, session: Session) -> None:
    token = csrf_of(client, "/registro")
    response = client.post(
        "/registro",
        data={"name": "Eva Martínez", "email": "no-es-correo", "password": "corta", "csrf_token": token},
    )
    assert response.status_code == 422
    page = soup(response)
    assert value_of(page, "name") == "Eva Martínez"
    assert field_error(page, "password") == "Escribe al menos 10 caracteres."
    assert attr(one(page, "[name='password']"), "aria-invalid") == "true"
    assert count(session, User) == 0


def test_register_then_log_out_and_in(client: TestClient, session: Session) -> None:
    token = csrf_of(client, "/registro")
    response = client.post(
        "/registro",
        data={
            "name": "Eva",
            "email": "Eva@Example.mx",
            "password": PASSWORD,
            "csrf_token": token,
            "locale": "es_MX",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/catalogo"  # buying, the default
    assert heading(client.get("/panel")) == "Hola, Eva"

    client.post("/salir", data={"csrf_token": csrf_of(client, "/panel")})
    assert client.get("/panel").headers["location"].startswith("/entrar?next=")
    log_in(client, "eva@example.mx")
    assert client.get("/panel").status_code == 200


def test_wrong_password_then_rate_limited(client: TestClient, make_user: Any, settings: Any) -> None:
    make_user("ana@example.mx")
    for _ in range(settings.login_attempts_per_window):
        response = client.post(
            "/entrar",
            data={"email": "ana@example.mx", "password": "equivocada-123", "csrf_token": csrf_of(client)},
        )
        assert response.status_code == 401
        assert flashes(response, "error") == ["Correo o contraseña incorrectos."]
    blocked = client.post(
        "/entrar", data={"email": "ana@example.mx", "password": PASSWORD, "csrf_token": csrf_of(client)}
    )
    assert blocked.status_code == 429
    [message] = flashes(blocked, "error")
    assert message.startswith("Demasiados intentos")


def test_login_redirect_goes_back_only_to_this_site(client: TestClient, make_user: Any) -> None:
    make_user("ana@example.mx")
    response = client.post(
        "/entrar",
        data={
            "email": "ana@example.mx",
            "password": PASSWORD,
            "next": "https://evil.example/",
            "csrf_token": csrf_of(client),
        },
    )
    assert response.headers["location"] == "/panel"


def test_organization_form_shows_rfc_error_and_writes_nothing(
    client: TestClient, make_user: Any, session: Session
) -> None:
    make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    token = csrf_of(client, "/panel/organizaciones/nueva")
    response = client.post(
        "/panel/organizaciones/nueva", data=ORG_FORM | {"rfc": "ABC123", "csrf_token": token}
    )
    assert response.status_code == 422
    page = soup(response)
    assert (field_error(page, "rfc") or "").startswith("El RFC «ABC123» no es válido")
    assert value_of(page, "name") == "Unión de Apicultoras del Puuc"
    assert checked_values(page, "certifications") == ["organico_mexico", "participativa"]
    assert count(session, Organization) == 0


def test_the_form_offers_the_sector_vocabulary_in_groups_and_takes_its_new_codes(
    client: TestClient, make_user: Any, session: Session
) -> None:
    make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    page = soup(client.get("/panel/organizaciones/nueva"))
    groups = {
        attr(group, "label"): [attr(o, "value") for o in group.select("option")]
        for group in page.select("#f-legal_form optgroup")
    }
    assert list(groups) == ["Agrarias", "Cooperativas", "Otras del sector social"]
    assert groups["Agrarias"] == ["ejido", "comunidad", "union_ejidos", "spr", "aric"]
    assert "federacion_cooperativas" in groups["Cooperativas"]
    legends = [text_of(legend) for legend in page.select(".checks-group > legend")]
    assert "Denominaciones de origen" in legends

    token = csrf_of(client, "/panel/organizaciones/nueva")
    form = ORG_FORM | {
        "legal_form": "spr",
        "certifications[]": ["do_tequila", "usda_organic"],
        "csrf_token": token,
    }
    assert client.post("/panel/organizaciones/nueva", data=form).status_code == 303
    org = session.exec(select(Organization)).one()
    assert (org.legal_form, org.certifications) == ("spr", ["usda_organic", "do_tequila"])  # the list's order


def test_producer_registers_organization_admin_verifies_it(
    client: TestClient, make_user: Any, session: Session
) -> None:
    make_user("ana@example.mx")
    make_user("admin@example.mx", name="Admin", is_admin=True)
    log_in(client, "ana@example.mx")
    token = csrf_of(client, "/panel/organizaciones/nueva")
    created = client.post("/panel/organizaciones/nueva", data=ORG_FORM | {"csrf_token": token})
    assert created.status_code == 303
    slug = created.headers["location"].rsplit("/", 1)[1]
    assert texts(client.get(f"/panel/o/{slug}"), "h1 + p .badge") == ["En revisión"]

    anonymous = TestClient(client.app)
    assert anonymous.get(f"/productores/{slug}").status_code == 404
    assert client.get("/admin/verificacion").status_code == 403  # a producer is not an administrator

    admin = TestClient(client.app, follow_redirects=False)
    log_in(admin, "admin@example.mx")
    queue = admin.get("/admin/verificacion")
    assert "Unión de Apicultoras del Puuc" in texts(queue, "h2 a")
    token = csrf_of(admin, "/admin/verificacion")
    assert admin.post(f"/admin/organizaciones/{slug}/rechazar", data={"csrf_token": token}).status_code == 303
    session.expire_all()
    org = session.exec(select(Organization).where(Organization.slug == slug)).one()
    assert org.verification_status == "pending"  # a rejection without a reason is refused

    admin.post(f"/admin/organizaciones/{slug}/verificar", data={"csrf_token": token})
    profile = anonymous.get(f"/productores/{slug}")
    assert profile.status_code == 200
    assert "Oxkutzcab, Yucatán" in text_of(one(profile, "h1 + p"))
    claimed = one(profile, "[data-certification='participativa']")  # claimed without reviewed evidence
    assert text_of(claimed) == "Certificación orgánica participativa · declarada"


def test_listing_form_takes_pesos_and_volume_prices(
    client: TestClient, make_user: Any, make_org: Any, session: Session
) -> None:
    org = make_org(make_user("ana@example.mx"))
    log_in(client, "ana@example.mx")
    path = f"/panel/o/{org.slug}/productos/nuevo"
    form = {
        "title": "Miel multifloral 1 kg",
        "category": "miel",
        "kind": "good",
        "unit": "kg",
        "price": "1,185.50",
        "stock": "80",
        "minimum_order": "1",
        "lead_time_days": "2",
        "pickup": "on",
        "delivery_states[]": ["31", "04"],
        "tier_quantity": ["10", "50", ""],
        "tier_price": ["1100", "1050.25", ""],
        "status": "active",
        "csrf_token": csrf_of(client, path),
    }
    assert client.post(path, data=form).status_code == 303
    listing = session.exec(select(Listing)).one()
    assert (listing.price_cents, listing.delivery_states, listing.status) == (118550, ["04", "31"], "active")
    tiers = session.exec(select(PriceTier).order_by(col(PriceTier.min_quantity))).all()
    assert [(t.min_quantity, t.unit_price_cents) for t in tiers] == [(10, 110000), (50, 105025)]


def test_listing_form_errors_are_shown_per_field(
    client: TestClient, make_user: Any, make_org: Any, session: Session
) -> None:
    org = make_org(make_user("ana@example.mx"))
    log_in(client, "ana@example.mx")
    path = f"/panel/o/{org.slug}/productos/nuevo"
    form = {
        "title": "Miel",
        "category": "miel",
        "unit": "kg",
        "price": "doscientos",
        "tier_quantity": ["10"],
        "tier_price": ["5"],
        "csrf_token": csrf_of(client, path),
    }
    response = client.post(path, data=form)
    assert response.status_code == 422
    page = soup(response)
    assert (field_error(page, "price") or "").startswith("Escribe el precio en pesos")
    assert (field_error(page, "national_shipping") or "").startswith("Ofrece al menos una forma de entrega")
    assert value_of(page, "price") == "doscientos"
    assert count(session, Listing) == 0


def test_member_of_another_organization_cannot_edit(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    owner = make_org(make_user("ana@example.mx"))
    listing = make_listing(owner)
    make_org(make_user("otra@example.mx"), name="Cooperativa Vecina")
    log_in(client, "otra@example.mx")
    page = client.get(f"/panel/productos/{listing.id}")
    assert page.status_code == 403 and owner.name not in text_of(page)
    token = csrf_of(client, "/panel")
    response = client.post(
        f"/panel/productos/{listing.id}/estado", data={"status": "paused", "csrf_token": token}
    )
    assert response.status_code == 403


def test_an_outsider_gets_the_same_page_for_a_draft_listing_as_for_none(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    draft = make_listing(make_org(make_user("ana@example.mx")), status="draft")
    make_org(make_user("otra@example.mx"), name="Cooperativa Vecina")
    log_in(client, "otra@example.mx")
    token = csrf_of(client, "/panel")

    def attempts(listing_id: int) -> list[tuple[int, str]]:
        panel = f"/panel/productos/{listing_id}"
        responses = [
            client.get(f"/productos/{listing_id}"),
            client.get(panel),
            client.post(panel, data={"title": "Robado", "csrf_token": token}),
            client.post(f"{panel}/estado", data={"status": "active", "csrf_token": token}),
        ]
        return [(r.status_code, r.text.replace(f"/{listing_id}", "/ID")) for r in responses]  # page links

    hidden = attempts(draft.id)
    assert hidden == attempts(draft.id + 1000)  # no listing has that id
    assert {status for status, _text in hidden} == {404}


def test_a_status_change_swaps_the_status_box_or_goes_back_to_the_form(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any, session: Session, htmx: Htmx
) -> None:
    listing = make_listing(make_org(make_user("ana@example.mx")))
    log_in(client, "ana@example.mx")
    path = f"/panel/productos/{listing.id}"
    token = csrf_of(client, path)
    response = client.post(
        f"{path}/estado", data={"status": "paused", "csrf_token": token}, headers=htmx.headers
    )
    if htmx:
        assert response.status_code == 200 and is_fragment(response)
        box = soup(response)
    else:
        assert response.status_code == 303 and response.headers["location"] == path
        form = client.get(path)
        assert flashes(form, "success") == ["Estado actualizado."]
        box = one(form, "#status-box")
    assert text_of(one(box, ".status-bar .badge")) == "En pausa"
    assert "Publicar" in texts(box, "button")
    session.expire_all()
    assert session.get_one(Listing, listing.id).status == "paused"

    illegal = client.post(
        f"{path}/estado", data={"status": "draft", "csrf_token": token}, headers=htmx.headers
    )
    assert illegal.status_code == 409 and is_fragment(illegal) == bool(htmx)
    assert "No se puede pasar de" in text_of(main(illegal))
    session.expire_all()
    assert session.get_one(Listing, listing.id).status == "paused"


def test_draft_listing_is_hidden_from_the_public_but_previewable(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(make_org(make_user("ana@example.mx")), status="draft")
    assert client.get(f"/productos/{listing.id}/{listing.slug}").status_code == 404
    log_in(client, "ana@example.mx")
    preview = client.get(f"/productos/{listing.id}/{listing.slug}")
    assert preview.status_code == 200
    assert [m for m in flashes(preview, "warn") if m.startswith("Vista previa")]
    assert client.get(f"/productos/{listing.id}/otro-nombre").headers["location"] == (
        f"/productos/{listing.id}/{listing.slug}"
    )


def test_browse_filters_by_category_and_state(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    chiapas = make_org(make_user("ana@example.mx"))
    oaxaca = make_org(make_user("eva@example.mx"), name="Mezcaleros de Santa Catarina", state="20")
    make_listing(chiapas, title="Café de Chenalhó")
    make_listing(
        oaxaca, title="Mezcal espadín joven", category="mezcal-destilados", unit="ml", price_cents=65000
    )
    assert texts(client.get("/catalogo?state=20"), ".listing-card h3") == ["Mezcal espadín joven"]
    assert texts(client.get("/catalogo?category=cafe"), ".listing-card h3") == ["Café de Chenalhó"]
    assert client.get("/catalogo?category=no-existe").status_code == 404


def test_csv_upload_reports_bad_rows_and_imports_nothing(
    client: TestClient, make_user: Any, make_org: Any, session: Session
) -> None:
    org = make_org(make_user("ana@example.mx"))
    log_in(client, "ana@example.mx")
    path = f"/panel/o/{org.slug}/importar"
    good = "titulo,categoria,unidad,precio\nCafé molido 500 g,cafe,pieza,180.00\n"
    bad = good + "Miel,miel,kg,gratis\n"
    response = client.post(
        path,
        data={"csrf_token": csrf_of(client, path)},
        files={"archivo": ("catalogo.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 422
    assert table_row(response, "precio", ".flash.error table")[:2] == ["3", "precio"]
    assert count(session, Listing) == 0

    response = client.post(
        path,
        data={"csrf_token": csrf_of(client, path)},
        files={"archivo": ("catalogo.csv", good.encode(), "text/csv")},
    )
    assert response.status_code == 303
    assert count(session, Listing) == 1


def test_an_excel_workbook_is_imported_from_the_page(
    client: TestClient, make_user: Any, make_org: Any, session: Session
) -> None:
    org = make_org(make_user("ana@example.mx"))
    log_in(client, "ana@example.mx")
    path = f"/panel/o/{org.slug}/importar"
    form = soup(client.get(path))
    assert (attr(one(form, "input[type=file]"), "accept") or "").startswith(".csv,.xlsx,")
    assert "CSV o Excel" in heading(form)
    workbook = xlsx_bytes(
        [["Título", "Categoría", "Unidad", "Precio"], ["Café molido 500 g", "cafe", "pieza", 180]]
    )
    response = client.post(
        path,
        data={"csrf_token": csrf_of(client, path)},
        files={"archivo": ("catalogo.xlsx", workbook, XLSX_TYPE)},
    )
    assert response.status_code == 303
    assert session.exec(select(Listing.title, Listing.price_cents)).all() == [("Café molido 500 g", 18000)]


def test_a_file_that_is_no_table_is_refused_on_the_page_in_spanish_and_english(
    client: TestClient, make_user: Any, make_org: Any, session: Session
) -> None:
    org = make_org(make_user("ana@example.mx"))
    log_in(client, "ana@example.mx")
    path = f"/panel/o/{org.slug}/importar"
    name, picture, message = NOT_TABLES["png"]
    response = client.post(
        path, data={"csrf_token": csrf_of(client, path)}, files={"archivo": (name, picture, "image/png")}
    )
    assert response.status_code == 422
    [refusal] = flashes(response, "error")
    assert "El archivo tiene errores; no se importó ninguna fila." in refusal and message in refusal

    client.get("/idioma/en")
    response = client.post(
        path, data={"csrf_token": csrf_of(client, path)}, files={"archivo": (name, picture, "image/png")}
    )
    assert response.status_code == 422
    [refusal] = flashes(response, "error")
    assert "The file is a picture or a PDF, not a table" in refusal
    assert count(session, Listing) == 0


def test_photo_upload_rejects_non_images(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    listing = make_listing(make_org(make_user("ana@example.mx")))
    log_in(client, "ana@example.mx")
    page = f"/panel/productos/{listing.id}"
    response = client.post(
        f"{page}/fotos",
        data={"csrf_token": csrf_of(client, page)},
        files={"photo": ("foto.jpg", b"esto no es una imagen", "image/jpeg")},
    )
    assert response.status_code == 303
    assert flashes(client.get(page), "error") == ["El archivo no es una imagen JPEG, PNG o WebP válida."]


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/no-existe")
    assert response.status_code == 404
    assert heading(response) == "Página no encontrada"


def test_session_cookie_is_signed_httponly_and_samesite(client: TestClient, make_user: Any) -> None:
    make_user("ana@example.mx")
    response = client.post(
        "/entrar", data={"email": "ana@example.mx", "password": PASSWORD, "csrf_token": csrf_of(client)}
    )
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "ts_session=" in v
    ).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    client.cookies.set("ts_session", "forged.value.here")
    assert client.get("/panel").status_code == 303  # a tampered cookie is no session


# --- dates in Mexico City's time ---------------------------------------------------------------------

# 03:30 in UTC on 5 March is still 4 March (21:30) in Mexico City (UTC-6 all year since 2022).
LATE_EVENING = datetime(2026, 3, 5, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize("page", ["/pedidos", "/panel/o/{slug}/saldo", "/admin/verificacion"])
def test_pages_show_the_date_in_mexico_city_time(
    app: FastAPI,
    engine: Engine,
    settings: Settings,
    session: Session,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
    page: str,
) -> None:
    owner, buyer = make_user("cafe@example.mx"), make_user("eva@example.mx")
    admin = make_user("admin@example.mx", is_admin=True)
    org = make_org(owner)
    make_org(make_user("ejido@example.mx"), status="pending", name="Ejido La Ventana")
    listing = make_listing(org)
    with transaction(engine) as tx:
        order = checkout(
            tx,
            settings,
            buyer,
            Checkout(items=[{"listing_id": listing.id, "quantity": 1}], payment_method="spei_transfer"),
        )
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 0001")
    with transaction(engine) as tx:  # everything happened late in the evening, Mexico City's time
        for model in (Order, LedgerEntry, Organization):
            tx.execute(update(model).values(created_at=LATE_EVENING))
    viewer = {"/pedidos": buyer, "/admin/verificacion": admin}.get(page, owner)
    client = signed_in(app, viewer.email)

    shown = text_of(main(client.get(page.format(slug=org.slug))))

    assert "2026-03-04" in shown
    assert "2026-03-05" not in shown
