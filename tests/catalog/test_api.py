"""JSON API for listings: who may manage them, validation, status, the public catalog, photos, CSV."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from market.catalog.csv_import import COLUMNS, TEMPLATE
from market.catalog.models import Listing, ListingPhoto, PriceTier
from market.config import Settings
from market.organizations.models import Organization
from tests.helpers import LISTING_DEFAULTS, api_token, count
from tests.spreadsheets import NOT_TABLES, XLSX_TYPE, xlsx_bytes

LISTINGS = "/api/v1/listings"
NEW_LISTING = {k: v for k, v in LISTING_DEFAULTS.items() if k != "status"}  # created as a draft
HEADER = ",".join(COLUMNS)
TIER = {"min_quantity": 10, "unit_price_cents": 30000}


def png_bytes(size: tuple[int, int] = (1200, 800)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (180, 90, 40)).save(buffer, "PNG")
    return buffer.getvalue()


class Shop:
    """A verified organization, its owner's API headers, and the create-listing URL."""

    def __init__(self, org: Organization, headers: dict[str, str]) -> None:
        self.org, self.headers = org, headers
        self.listings_url = f"/api/v1/organizations/{org.slug}/listings"


@pytest.fixture
def shop(client: TestClient, make_user: Any, make_org: Any) -> Shop:
    org = make_org(make_user(email="ana@example.mx"))
    return Shop(org, api_token(client, "ana@example.mx"))


@pytest.fixture
def rival(client: TestClient, make_user: Any, make_org: Any) -> Shop:
    """A member (owner) of ANOTHER organization."""
    org = make_org(make_user(email="rival@example.mx", name="Rival"), name="Cooperativa Rival", state="20")
    return Shop(org, api_token(client, "rival@example.mx"))


def create(client: TestClient, shop: Shop, **overrides: Any) -> dict[str, Any]:
    response = client.post(shop.listings_url, json=NEW_LISTING | overrides, headers=shop.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


# --- creating and editing ---------------------------------------------------------------------------


def test_member_creates_a_draft_listing_with_tiers(client: TestClient, shop: Shop, session: Session) -> None:
    body = create(
        client,
        shop,
        tiers=[
            {"min_quantity": 50, "unit_price_cents": 28000},
            {"min_quantity": 10, "unit_price_cents": 30000},
        ],
    )

    assert body["status"] == "draft"
    assert body["organization_slug"] == shop.org.slug
    assert body["state"] == "07"
    assert body["price_cents"] == 32000
    assert body["tiers"] == [
        {"min_quantity": 10, "unit_price_cents": 30000},
        {"min_quantity": 50, "unit_price_cents": 28000},
    ]
    assert count(session, Listing) == 1 and count(session, PriceTier) == 2


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"price_cents": 0}, "price_cents", "mayor que $0.00"),
        ({"price_cents": -500}, "price_cents", "mayor que $0.00"),
        ({"tiers": [{"min_quantity": 10, "unit_price_cents": 32000}]}, "tiers", "menor que el precio"),
        (
            {
                "tiers": [
                    {"min_quantity": 10, "unit_price_cents": 30000},
                    {"min_quantity": 20, "unit_price_cents": 31000},
                ]
            },
            "tiers",
            "menor que el precio",
        ),
        (
            {"minimum_order": 10, "tiers": [{"min_quantity": 10, "unit_price_cents": 30000}]},
            "tiers",
            "mayor que 10",
        ),
        ({"kind": "service", "unit": "kg"}, "unit", "servicio, hora, persona"),
        ({"unit": "hora"}, "unit", "kg"),
        (
            {"pickup": False, "delivery_states": [], "national_shipping": False},
            "national_shipping",
            "al menos una forma de entrega",
        ),
        ({"delivery_states": ["07", "33"]}, "delivery_states", "33"),
        ({"category": "juguetes"}, "category", "categoría"),
        ({"title": "ab"}, "title", "al menos 3"),
    ],
)
def test_invalid_listing_is_422_and_nothing_is_written(
    client: TestClient, shop: Shop, session: Session, overrides: dict[str, Any], field: str, fragment: str
) -> None:
    response = client.post(shop.listings_url, json=NEW_LISTING | overrides, headers=shop.headers)

    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_error"
    assert fragment in response.json()["fields"][field]
    assert count(session, Listing) == 0
    assert count(session, PriceTier) == 0


def test_patch_updates_only_the_given_fields(client: TestClient, shop: Shop) -> None:
    listing = create(client, shop, tiers=[TIER], delivery_states=["07"])

    response = client.patch(
        f"{LISTINGS}/{listing['id']}", json={"title": "Café orgánico en grano"}, headers=shop.headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["title"], body["slug"]) == ("Café orgánico en grano", "cafe-organico-en-grano")
    assert body["price_cents"] == 32000
    assert body["delivery_states"] == ["07"]
    assert body["tiers"] == [{"min_quantity": 10, "unit_price_cents": 30000}]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"price_cents": 29000}, "tiers"),  # now the 300.00 tier no longer lowers the price
        ({"minimum_order": 10}, "tiers"),  # the tier at 10 no longer starts above the minimum order
        ({"kind": "service"}, "unit"),  # kg is not a unit of a service
        ({"pickup": False}, "national_shipping"),  # no delivery option left
        ({"price_cents": 0}, "price_cents"),
    ],
)
def test_patch_revalidates_the_merged_listing(
    client: TestClient, shop: Shop, session: Session, patch: dict[str, Any], field: str
) -> None:
    listing = create(client, shop, tiers=[{"min_quantity": 10, "unit_price_cents": 30000}])

    response = client.patch(f"{LISTINGS}/{listing['id']}", json=patch, headers=shop.headers)

    assert response.status_code == 422, response.text
    assert field in response.json()["fields"]
    stored = session.get(Listing, listing["id"])
    assert stored is not None
    assert (stored.price_cents, stored.minimum_order, stored.kind, stored.pickup) == (32000, 1, "good", True)
    assert [(t.min_quantity, t.unit_price_cents) for t in session.exec(select(PriceTier))] == [(10, 30000)]


def test_patch_rejects_unknown_fields(client: TestClient, shop: Shop) -> None:
    listing = create(client, shop)

    response = client.patch(f"{LISTINGS}/{listing['id']}", json={"status": "active"}, headers=shop.headers)

    assert response.status_code == 422
    assert "status" in response.json()["fields"]


# --- who may write ----------------------------------------------------------------------------------


def test_anonymous_writes_are_401(client: TestClient, shop: Shop, session: Session) -> None:
    listing = create(client, shop)
    png = {"file": ("foto.png", png_bytes(), "image/png")}
    csv_file = {"file": ("productos.csv", TEMPLATE.encode(), "text/csv")}

    responses = [
        client.post(shop.listings_url, json=NEW_LISTING),
        client.patch(f"{LISTINGS}/{listing['id']}", json={"title": "Otro título"}),
        client.post(f"{LISTINGS}/{listing['id']}/status", json={"status": "active"}),
        client.post(f"{LISTINGS}/{listing['id']}/photos", files=png),
        client.post(f"{shop.listings_url}/import", files=csv_file),
    ]

    assert [r.status_code for r in responses] == [401] * 5
    assert {r.json()["error"] for r in responses} == {"not_authenticated"}
    assert count(session, Listing) == 1
    assert count(session, ListingPhoto) == 0


def test_a_member_of_another_organization_is_403_without_naming_it(
    client: TestClient, shop: Shop, rival: Shop, session: Session
) -> None:
    listing = create(client, shop)
    assert client.post(f"{LISTINGS}/{listing['id']}/status", json={"status": "active"}, headers=shop.headers)
    png = {"file": ("foto.png", png_bytes(), "image/png")}
    csv_file = {"file": ("productos.csv", TEMPLATE.encode(), "text/csv")}

    responses = [  # an active listing and a public organization: anyone may know they exist
        client.patch(f"{LISTINGS}/{listing['id']}", json={"title": "Robado"}, headers=rival.headers),
        client.post(f"{LISTINGS}/{listing['id']}/status", json={"status": "paused"}, headers=rival.headers),
        client.post(f"{LISTINGS}/{listing['id']}/photos", files=png, headers=rival.headers),
        client.post(shop.listings_url, json=NEW_LISTING, headers=rival.headers),
        client.post(f"{shop.listings_url}/import", files=csv_file, headers=rival.headers),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert {r.json()["error"] for r in responses} == {"forbidden"}
    assert not any(shop.org.name in r.text for r in responses)
    stored = session.get(Listing, listing["id"])
    assert stored is not None and (stored.title, stored.status) == (NEW_LISTING["title"], "active")
    assert count(session, Listing) == 1
    assert count(session, ListingPhoto) == 0


def test_an_outsider_gets_the_same_404_for_a_draft_listing_as_for_none(
    client: TestClient, shop: Shop, rival: Shop, session: Session
) -> None:
    draft = create(client, shop)
    png = {"file": ("foto.png", png_bytes(), "image/png")}

    def attempts(listing_id: int) -> list[tuple[int, Any]]:
        url = f"{LISTINGS}/{listing_id}"
        responses = [
            client.get(url, headers=rival.headers),
            client.patch(url, json={"title": "Robado"}, headers=rival.headers),
            client.post(f"{url}/status", json={"status": "active"}, headers=rival.headers),
            client.post(f"{url}/photos", files=png, headers=rival.headers),
        ]
        return [(r.status_code, r.json()) for r in responses]

    hidden = attempts(draft["id"])
    assert hidden == attempts(draft["id"] + 1000)  # no listing has that id
    assert {status for status, _body in hidden} == {404}
    stored = session.get(Listing, draft["id"])
    assert stored is not None and (stored.title, stored.status) == (NEW_LISTING["title"], "draft")
    assert count(session, ListingPhoto) == 0


def test_draft_is_visible_to_its_members_only(client: TestClient, shop: Shop, rival: Shop) -> None:
    listing = create(client, shop)
    url = f"{LISTINGS}/{listing['id']}"

    assert client.get(url).status_code == 404
    assert client.get(url).json()["error"] == "listing_not_found"
    assert client.get(url, headers=rival.headers).status_code == 404
    assert client.get(url, headers=shop.headers).status_code == 200


# --- status -----------------------------------------------------------------------------------------


def test_status_transitions(client: TestClient, shop: Shop, session: Session) -> None:
    listing = create(client, shop)
    url = f"{LISTINGS}/{listing['id']}/status"

    for target in ("active", "paused", "active", "archived"):
        response = client.post(url, json={"status": target}, headers=shop.headers)
        assert response.status_code == 200, f"→ {target}: {response.text}"
        assert response.json()["status"] == target

    revived = client.post(url, json={"status": "active"}, headers=shop.headers)
    assert revived.status_code == 409
    assert revived.json()["error"] == "invalid_transition"
    assert revived.json()["detail"] == "No se puede pasar de «Archivado» a «Publicado»."  # the labels
    in_english = client.post(url, json={"status": "active"}, headers=shop.headers | {"Accept-Language": "en"})
    assert in_english.json()["detail"] == 'Can\'t change from "Archived" to "Published".'
    stored = session.get(Listing, listing["id"])
    assert stored is not None and stored.status == "archived"


@pytest.mark.parametrize("target", ["paused", "draft"])
def test_a_draft_cannot_be_paused_or_redrafted(client: TestClient, shop: Shop, target: str) -> None:
    listing = create(client, shop)

    response = client.post(
        f"{LISTINGS}/{listing['id']}/status", json={"status": target}, headers=shop.headers
    )

    assert response.status_code == 409 and response.json()["error"] == "invalid_transition"


def test_unknown_status_is_422(client: TestClient, shop: Shop) -> None:
    listing = create(client, shop)

    response = client.post(
        f"{LISTINGS}/{listing['id']}/status", json={"status": "deleted"}, headers=shop.headers
    )

    assert response.status_code == 422 and "status" in response.json()["fields"]


# --- the public catalog -----------------------------------------------------------------------------


def public_titles(client: TestClient, **params: Any) -> list[str]:
    response = client.get(LISTINGS, params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def test_catalog_shows_only_active_listings_of_verified_unsuspended_organizations(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any, session: Session
) -> None:
    ana = make_user(email="ana@example.mx")
    verified = make_org(ana)
    pending = make_org(ana, status="pending", name="Cooperativa Pendiente")
    rejected = make_org(ana, status="rejected", name="Cooperativa Rechazada")
    suspended = make_org(ana, name="Cooperativa Suspendida")
    suspended.suspended = True
    session.add(suspended)
    make_listing(verified, title="Visible")
    make_listing(verified, title="Borrador", status="draft")
    for status in ("paused", "archived"):
        listing = make_listing(verified, title=status.capitalize())
        listing.status = status
        session.add(listing)
    session.commit()
    for org in (pending, rejected, suspended):
        make_listing(org, title=f"De {org.name}")

    response = client.get(LISTINGS).json()

    assert [item["title"] for item in response["items"]] == ["Visible"]
    assert response["total"] == 1
    assert response["items"][0]["organization_name"] == verified.name


def test_catalog_filters_by_category_and_by_the_organizations_state(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    ana = make_user(email="ana@example.mx")
    chiapas = make_org(ana, state="07")
    oaxaca = make_org(ana, name="Unión de Productores de la Sierra", state="20")
    make_listing(chiapas, title="Café de Chiapas", category="cafe")
    make_listing(chiapas, title="Miel de Chiapas", category="miel")
    make_listing(oaxaca, title="Café de Oaxaca", category="cafe", delivery_states=["07"])
    make_listing(oaxaca, title="Mezcal espadín", category="mezcal-destilados", unit="l")

    assert sorted(public_titles(client, category="cafe")) == ["Café de Chiapas", "Café de Oaxaca"]
    # state is where the producer is, not where it delivers
    assert sorted(public_titles(client, state="07")) == ["Café de Chiapas", "Miel de Chiapas"]
    assert public_titles(client, state="20", category="cafe") == ["Café de Oaxaca"]
    assert public_titles(client, category="textiles") == []
    assert sorted(public_titles(client, organization=oaxaca.slug)) == ["Café de Oaxaca", "Mezcal espadín"]


def test_catalog_pagination_and_price_sorts(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    org = make_org(make_user(email="ana@example.mx"))
    prices = [25000, 9900, 41000, 18550, 32000]
    for n, price in enumerate(prices):
        make_listing(org, title=f"Producto {n}", price_cents=price)

    pages = [
        client.get(LISTINGS, params={"per_page": 2, "page": n, "sort": "price_asc"}).json()
        for n in (1, 2, 3, 4)
    ]
    assert [(p["total"], p["page"], p["per_page"]) for p in pages] == [(5, n, 2) for n in (1, 2, 3, 4)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert [item["price_cents"] for p in pages for item in p["items"]] == sorted(prices)

    descending = client.get(LISTINGS, params={"sort": "price_desc"}).json()["items"]
    assert [item["price_cents"] for item in descending] == sorted(prices, reverse=True)


@pytest.mark.parametrize("params", [{"sort": "cheapest"}, {"per_page": 101}, {"page": 0}])
def test_catalog_rejects_bad_query_parameters(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get(LISTINGS, params=params)

    assert response.status_code == 422
    assert set(response.json()["fields"]) == set(params)


# --- photos -----------------------------------------------------------------------------------------


def test_photo_upload_stores_a_reencoded_image_and_a_thumbnail(
    client: TestClient, shop: Shop, settings: Settings, session: Session
) -> None:
    listing = create(client, shop)

    upload = {"file": ("foto.png", png_bytes((1200, 800)), "image/png")}

    response = client.post(f"{LISTINGS}/{listing['id']}/photos", files=upload, headers=shop.headers)

    assert response.status_code == 201, response.text
    [photo] = response.json()["photos"]
    full = settings.media_dir / photo["url"].removeprefix("/media/")
    thumb = settings.media_dir / photo["thumb_url"].removeprefix("/media/")
    assert full.is_file() and thumb.is_file() and full != thumb
    with Image.open(full) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 800))
    with Image.open(thumb) as image:
        assert max(image.size) <= 400
        assert image.size == (400, 267)
    served = client.get(photo["thumb_url"])
    assert served.status_code == 200 and served.content == thumb.read_bytes()
    assert count(session, ListingPhoto) == 1


def stored_files(media_dir: Path) -> list[Path]:
    return [p for p in media_dir.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"Esto no es una imagen, es texto.\n" * 10, "no es una imagen"),
        (b"", "vacío"),
        (None, "pesa más de"),  # settings.max_upload_bytes + 1
    ],
    ids=["text-named-png", "empty", "oversized"],
)
def test_bad_photo_uploads_are_422_and_store_nothing(
    client: TestClient, shop: Shop, settings: Settings, session: Session, content: bytes | None, fragment: str
) -> None:
    listing = create(client, shop)
    if content is None:
        content = png_bytes((10, 10)).ljust(settings.max_upload_bytes + 1, b"\0")

    response = client.post(
        f"{LISTINGS}/{listing['id']}/photos",
        files={"file": ("foto.png", content, "image/png")},
        headers=shop.headers,
    )

    assert response.status_code == 422
    assert response.json()["error"] == "invalid_upload"
    assert fragment in response.json()["detail"]
    assert count(session, ListingPhoto) == 0
    assert stored_files(settings.media_dir) == []


def test_a_truncated_jpeg_is_an_invalid_upload(client: TestClient, shop: Shop, session: Session) -> None:
    listing = create(client, shop)
    buffer = BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 30)).save(buffer, "JPEG")
    truncated = buffer.getvalue()[: len(buffer.getvalue()) // 2]

    response = client.post(
        f"{LISTINGS}/{listing['id']}/photos",
        files={"file": ("foto.jpg", truncated, "image/jpeg")},
        headers=shop.headers,
    )

    assert response.status_code == 422
    assert response.json()["error"] == "invalid_upload"
    assert count(session, ListingPhoto) == 0


# --- CSV import -------------------------------------------------------------------------------------


def upload_csv(client: TestClient, shop: Shop, data: bytes) -> Any:
    return client.post(
        f"{shop.listings_url}/import",
        files={"file": ("productos.csv", data, "text/csv")},
        headers=shop.headers,
    )


def test_csv_import_of_three_good_rows(client: TestClient, shop: Shop, session: Session) -> None:
    data = (
        TEMPLATE
        + 'Miel multifloral 500 g,,miel,producto,pieza,"1,150.00",30,,,no,,si,,no\n'
        + "Recorrido por el cafetal,Visita guiada,ecoturismo,servicio,persona,$450,,2,7,si,,,,si\n"
    ).encode()

    response = upload_csv(client, shop, data)

    assert response.status_code == 201, response.text
    assert response.json() == {"imported": 3}
    listings = {listing.title: listing for listing in session.exec(select(Listing)).all()}
    assert sorted(listings) == [
        "Café de altura tostado 1 kg",
        "Miel multifloral 500 g",
        "Recorrido por el cafetal",
    ]
    coffee = listings["Café de altura tostado 1 kg"]
    assert (coffee.price_cents, coffee.stock, coffee.delivery_states, coffee.status) == (
        32000,
        400,
        ["07", "27"],
        "active",
    )
    tiers = session.exec(select(PriceTier).where(PriceTier.listing_id == coffee.id)).all()
    assert sorted((t.min_quantity, t.unit_price_cents) for t in tiers) == [(10, 30000), (50, 28000)]
    honey = listings["Miel multifloral 500 g"]
    assert (honey.price_cents, honey.pickup, honey.national_shipping, honey.status) == (
        115000,
        False,
        True,
        "draft",
    )
    tour = listings["Recorrido por el cafetal"]
    assert (tour.kind, tour.unit, tour.price_cents, tour.minimum_order, tour.lead_time_days) == (
        "service",
        "persona",
        45000,
        2,
        7,
    )
    assert {listing.organization_id for listing in listings.values()} == {shop.org.id}


def test_csv_with_bad_rows_reports_them_all_and_imports_nothing(
    client: TestClient, shop: Shop, session: Session
) -> None:
    data = (
        HEADER
        + "\n"
        + "Café molido,,cafe,producto,kg,280.00,,,,si,,,,si\n"
        + "Miel,,miel,producto,kg,abc,,,,si,,,,si\n"
        + "Café verde,,cafe,producto,kg,190.00,,,,si,,,,si\n"
        + "Trompo de madera,,juguetes,producto,pieza,80,,,,si,,,,si\n"
        + "Cajeta,,alimentos-procesados,producto,kg,120,,,,quizá,,,,si\n"
    ).encode()

    response = upload_csv(client, shop, data)

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "import_rejected"
    assert [(r["row"], r["column"]) for r in body["rows"]] == [
        (3, "precio"),
        (5, "categoria"),
        (6, "recoger"),
    ]
    assert all(r["message"] for r in body["rows"])
    assert count(session, Listing) == 0


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"titulo,categoria,precio\nCafe,cafe,100\n", "Faltan columnas: unidad"),
        (b"titulo,categoria,unidad,precio,color\nCafe,cafe,kg,100,rojo\n", "Columnas desconocidas: color"),
        (HEADER.encode() + b"\n", "no tiene filas"),
    ],
)
def test_csv_with_bad_structure_is_rejected_on_row_1(
    client: TestClient, shop: Shop, session: Session, data: bytes, fragment: str
) -> None:
    response = upload_csv(client, shop, data)

    assert response.status_code == 422
    [error] = response.json()["rows"]
    assert error["row"] == 1 and fragment in error["message"]
    assert count(session, Listing) == 0


def test_csv_in_windows_1252_keeps_its_accents(client: TestClient, shop: Shop, session: Session) -> None:
    data = (
        "titulo,descripcion,categoria,unidad,precio\r\n"
        'Piña deshidratada,"Cosecha de año, sin azúcar",frutas-verduras,kg,95.50\r\n'
    ).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    response = upload_csv(client, shop, data)

    assert response.status_code == 201, response.text
    listing = session.exec(select(Listing)).one()
    assert (listing.title, listing.description, listing.price_cents) == (
        "Piña deshidratada",
        "Cosecha de año, sin azúcar",
        9550,
    )


def test_semicolon_delimited_csv(client: TestClient, shop: Shop, session: Session) -> None:
    data = (
        b"titulo;categoria;unidad;precio;estados_entrega;precios_volumen;publicar\n"
        b'Cacao fino de aroma;cacao-chocolate;kg;150,00;27,07;"20:140;100:130";si\n'
    )

    response = upload_csv(client, shop, data)

    assert response.status_code == 422  # "150,00" is not a peso amount: decimals are written with a dot
    assert [(r["row"], r["column"]) for r in response.json()["rows"]] == [(2, "precio")]

    response = upload_csv(client, shop, data.replace(b"150,00", b"150.00"))

    assert response.status_code == 201, response.text
    listing = session.exec(select(Listing)).one()
    assert (listing.title, listing.price_cents, listing.delivery_states, listing.status) == (
        "Cacao fino de aroma",
        15000,
        ["07", "27"],
        "active",
    )
    tiers = session.exec(select(PriceTier)).all()
    assert sorted((t.min_quantity, t.unit_price_cents) for t in tiers) == [(20, 14000), (100, 13000)]


def test_csv_titles_may_contain_quotes(client: TestClient, shop: Shop, session: Session) -> None:
    """Spreadsheets escape a quote inside a quoted cell by doubling it."""
    data = b'titulo,categoria,unidad,precio\n"Mezcal ""La Sirena"" joven",mezcal-destilados,l,650\n'

    response = upload_csv(client, shop, data)

    assert response.status_code == 201, response.text
    assert session.exec(select(Listing)).one().title == 'Mezcal "La Sirena" joven'


@pytest.mark.parametrize("name", ["productos.xlsx", "descarga.csv"])  # recognised by content, not by name
def test_an_excel_workbook_is_imported_as_it_is(
    client: TestClient, shop: Shop, session: Session, name: str
) -> None:
    data = xlsx_bytes(
        [
            ["Título", "Categoría", "Unidad", "Precio", "Existencias", "Días entrega", "Publicar"],
            ["Café de olla molido", "cafe", "kg", 185.5, 40, 3, "sí"],
            [None] * 7,  # a blank row in between
            ["Miel melipona 250 g", "miel", "pieza", 250, None, None, "no"],
        ]
    )

    response = client.post(
        f"{shop.listings_url}/import", files={"file": (name, data, XLSX_TYPE)}, headers=shop.headers
    )

    assert response.status_code == 201, response.text
    assert response.json() == {"imported": 2}
    listings = {listing.title: listing for listing in session.exec(select(Listing)).all()}
    coffee, honey = listings["Café de olla molido"], listings["Miel melipona 250 g"]
    assert (coffee.price_cents, coffee.stock, coffee.lead_time_days, coffee.status) == (
        18550,
        40,
        3,
        "active",
    )
    assert (honey.price_cents, honey.unit, honey.status) == (25000, "pieza", "draft")


def test_a_workbook_row_with_an_error_is_reported_by_its_row_in_the_sheet(
    client: TestClient, shop: Shop, session: Session
) -> None:
    data = xlsx_bytes(
        [
            ["titulo", "categoria", "unidad", "precio"],
            ["Café", "cafe", "kg", 100],
            ["Miel", "miel", "kg", "gratis"],
        ]
    )
    response = upload_csv(client, shop, data)

    assert response.status_code == 422
    assert [(r["row"], r["column"]) for r in response.json()["rows"]] == [(3, "precio")]
    assert count(session, Listing) == 0


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("mac_roman", "\r"), ("utf-8", "\r"), ("cp1252", "\r"), ("utf-8-sig", "\r\n"), ("cp1252", "\n")],
)
def test_csv_with_any_line_ending_and_accented_headers(
    client: TestClient, shop: Shop, session: Session, encoding: str, newline: str
) -> None:
    """Excel for Mac ends lines with a bare CR (and its old "CSV" is Mac Roman); headers come with accents and
    capitals as people type them."""
    lines = [
        "Título;CATEGORÍA;unidad;Precio;Pedido mínimo",
        "Café de Pluma;cafe;kg;320.00;2",
        "Piña;frutas-verduras;kg;45;",
    ]
    data = (newline.join(lines) + newline).encode(encoding)

    response = upload_csv(client, shop, data)

    assert response.status_code == 201, response.text
    listings = {listing.title: listing for listing in session.exec(select(Listing)).all()}
    assert sorted(listings) == ["Café de Pluma", "Piña"]
    assert (listings["Café de Pluma"].price_cents, listings["Café de Pluma"].minimum_order) == (32000, 2)


@pytest.mark.parametrize("kind", list(NOT_TABLES))
def test_a_file_that_is_no_table_is_refused_with_a_clear_message(
    client: TestClient, shop: Shop, session: Session, kind: str
) -> None:
    name, data, message = NOT_TABLES[kind]

    response = client.post(
        f"{shop.listings_url}/import",
        files={"file": (name, data, "application/octet-stream")},
        headers=shop.headers,
    )

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "import_rejected"
    assert body["rows"] == [{"row": 1, "column": "", "message": message}]
    assert count(session, Listing) == 0
