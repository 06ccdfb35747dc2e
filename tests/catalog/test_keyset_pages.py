"""The public catalogue a page at a time by cursor (keyset): every public listing exactly once on each sort,
ties broken by id, filters kept from page to page, bad cursors refused with a 422, the cached count, and the
page's "Anteriores / Siguientes" links."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from market.catalog.counts import PublicCounts
from market.catalog.models import Listing, ListingStatus
from market.db import utcnow
from market.organizations.models import Organization
from tests.pages import attr, elements, error_fields, one, soup, text_of

LISTINGS = "/api/v1/listings"
TITLES = ["Amaranto", "Barro", "Cacao"]  # plain ASCII, one case: the same order in every collation
PRICES = [1000, 2500, 2500, 9000]
CATEGORIES = ["cafe", "miel", "vainilla", "cafe", "miel"]
SORTS: dict[str, tuple[str, bool]] = {  # sort -> (column, descending); ties by id the same way
    "recent": ("created_at", True),
    "price_asc": ("price_cents", False),
    "price_desc": ("price_cents", True),
    "title": ("title", False),
}


class Catalogue:
    """Two verified producers (Chiapas and Oaxaca) with 53 public listings whose sort keys repeat (six
    creation times, three prices, three titles), and listings nobody may see: a draft, a paused and a
    suspended one, and one of a producer not yet verified."""

    def __init__(self, session: Session, make_user: Any, make_org: Any) -> None:
        chiapas = make_org(make_user("ana@example.mx"), state="07")
        oaxaca = make_org(make_user("luis@example.mx"), name="Mezcaleros de Oaxaca", state="20")
        pending = make_org(make_user("eva@example.mx"), status="pending", name="Cooperativa Nueva")
        start = utcnow()
        self.public: list[Listing] = []
        for i in range(53):
            listing = self._add(
                session,
                chiapas if i % 2 else oaxaca,
                title=TITLES[i % 3],
                price_cents=PRICES[i % 4],
                category=CATEGORIES[i % 5],
                created_at=start - timedelta(minutes=i % 6),
            )
            self.public.append(listing)
        for status in (ListingStatus.DRAFT, ListingStatus.PAUSED):
            self._add(session, chiapas, title="Oculto", status=status)
        self._add(session, chiapas, title="Suspendido", suspended=True)
        self._add(session, pending, title="De un productor sin verificar")
        session.commit()
        self.chiapas = chiapas
        self.state_of = {chiapas.id: "07", oaxaca.id: "20"}

    def publish(self, session: Session, title: str) -> Listing:
        """A listing of the Chiapas producer, published now (the newest)."""
        listing = self._add(session, self.chiapas, title=title)
        session.commit()
        return listing

    @staticmethod
    def _add(session: Session, org: Organization, **fields: Any) -> Listing:
        assert org.id is not None
        values: dict[str, Any] = {"category": "cafe", "unit": "kg", "price_cents": 5000, "slug": "producto"}
        listing = Listing(organization_id=org.id, **(values | {"status": ListingStatus.ACTIVE} | fields))
        session.add(listing)
        session.flush()
        return listing

    def ids(self, sort: str, keep: Any = lambda listing: True) -> list[int]:
        """The public listings that `keep` keeps, in `sort`'s order with ties by id the same way."""
        column, descending = SORTS[sort]
        kept = [listing for listing in self.public if keep(listing)]
        ordered = sorted(kept, key=lambda listing: (getattr(listing, column), listing.id), reverse=descending)
        return [listing.id for listing in ordered if listing.id is not None]


@pytest.fixture
def catalogue(session: Session, make_user: Any, make_org: Any) -> Catalogue:
    return Catalogue(session, make_user, make_org)


def walk_api(client: TestClient, params: dict[str, Any]) -> tuple[list[int], list[dict[str, Any]]]:
    """Every page from the first by `next_cursor`: the ids in order, and each page's body."""
    bodies, cursor = [], None
    while True:
        response = client.get(LISTINGS, params=params | ({"after": cursor} if cursor else {}))
        assert response.status_code == 200, response.text
        bodies.append(response.json())
        cursor = bodies[-1]["next_cursor"]
        if cursor is None:
            return [item["id"] for body in bodies for item in body["items"]], bodies


@pytest.mark.parametrize("sort", SORTS)
def test_walking_by_cursor_lists_every_public_listing_once_in_order(
    client: TestClient, catalogue: Catalogue, sort: str
) -> None:
    walked, bodies = walk_api(client, {"sort": sort, "per_page": 7})

    assert walked == catalogue.ids(sort)  # each once, ties (equal prices, titles, times) broken by id
    assert len(bodies) == 8 and [len(body["items"]) for body in bodies] == [7] * 7 + [4]
    assert {body["total"] for body in bodies} == {53}
    assert bodies[0]["prev_cursor"] is None and all(body["prev_cursor"] for body in bodies[1:])
    assert bodies[0]["page"] == 1 and {body["page"] for body in bodies[1:]} == {None}


@pytest.mark.parametrize("sort", SORTS)
def test_walking_back_by_prev_cursor_gives_the_same_pages(
    client: TestClient, catalogue: Catalogue, sort: str
) -> None:
    _walked, forward = walk_api(client, {"sort": sort, "per_page": 7})
    backward, cursor = [], forward[-1]["prev_cursor"]
    while cursor:
        body = client.get(LISTINGS, params={"sort": sort, "per_page": 7, "before": cursor}).json()
        backward.append([item["id"] for item in body["items"]])
        cursor = body["prev_cursor"]

    assert backward == [[item["id"] for item in body["items"]] for body in forward[-2::-1]]


def test_filters_hold_on_every_page(client: TestClient, catalogue: Catalogue) -> None:
    params = {"category": "cafe", "state": "07", "sort": "price_desc", "per_page": 3}

    walked, bodies = walk_api(client, params)

    expected = catalogue.ids(
        "price_desc",
        lambda listing: listing.category == "cafe" and catalogue.state_of[listing.organization_id] == "07",
    )
    assert walked == expected and len(expected) > 6
    assert {body["total"] for body in bodies} == {len(expected)}


def test_a_listing_published_while_walking_neither_repeats_nor_skips_one(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    first = client.get(LISTINGS, params={"per_page": 10}).json()
    newest = catalogue.publish(session, "Nuevo")
    session.commit()

    rest, _bodies = walk_api(client, {"per_page": 10, "after": first["next_cursor"]})

    assert [item["id"] for item in first["items"]] + rest == catalogue.ids("recent")
    assert newest.id not in rest


def test_an_old_page_number_still_works_and_hands_out_cursors(
    client: TestClient, catalogue: Catalogue
) -> None:
    third = client.get(LISTINGS, params={"sort": "title", "per_page": 7, "page": 3}).json()
    after = client.get(
        LISTINGS, params={"sort": "title", "per_page": 7, "after": third["next_cursor"]}
    ).json()

    assert [item["id"] for item in third["items"] + after["items"]] == catalogue.ids("title")[14:28]
    assert third["page"] == 3 and third["prev_cursor"] is not None


def test_going_back_to_the_start_gives_the_whole_first_page(client: TestClient, catalogue: Catalogue) -> None:
    """A cursor with fewer rows before it than a page (rows removed meanwhile, or a hand-made one) is
    answered with the first page, whole, rather than a short page that claims more before it."""
    one_by_one = walk_api(client, {"per_page": 1})[1]

    back = client.get(LISTINGS, params={"per_page": 10, "before": one_by_one[2]["next_cursor"]}).json()

    assert [item["id"] for item in back["items"]] == catalogue.ids("recent")[:10]
    assert back["prev_cursor"] is None and back["page"] == 1


def cursor(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


BAD_CURSORS = {
    "not base64": "%%%",
    "not JSON": base64.urlsafe_b64encode(b"hola").decode(),
    "not a list of three": cursor("recent", 1),
    "of another sort": cursor("price_asc", 1000, 3),
    "a price that is text": cursor("recent", "ayer", 3),
    "a date without its zone": cursor("recent", "2026-01-01T00:00:00", 3),
    "an id out of range": cursor("recent", "2026-01-01T00:00:00+00:00", 2**40),
    "an id that is text": cursor("recent", "2026-01-01T00:00:00+00:00", "3"),
    "a title too long": cursor("title", "x" * 141, 3)[:400],
    "a title with a NUL": cursor("title", "a\x00b", 3),
    "a title with a lone surrogate": cursor("title", "a\ud800", 3),
    "a date before the calendar in UTC": cursor("recent", "0001-01-01T00:00:00+05:00", 3),
}


@pytest.mark.parametrize("bad", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
def test_a_bad_cursor_is_a_422_naming_it(app: FastAPI, catalogue: Catalogue, bad: str) -> None:
    client = TestClient(app, raise_server_exceptions=False)

    api = client.get(LISTINGS, params={"after": bad})
    page = client.get("/catalogo", params={"antes": bad})

    assert api.status_code == 422 and api.json()["error"] == "bad_cursor"
    assert api.json()["fields"] == {
        "after": "Este enlace de página no es válido o es de otro orden. Vuelve a la primera página."
    }
    assert page.status_code == 422 and list(error_fields(page)) == ["antes"]


def test_a_cursor_longer_than_any_the_catalogue_writes_is_a_422(app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=False)

    response = client.get(LISTINGS, params={"after": "A" * 401})

    assert response.status_code == 422 and "after" in response.json()["fields"]


def test_the_count_is_kept_for_its_age_and_follows_a_new_listing_after_it(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    now = [1000.0]
    app.state.listing_counts = PublicCounts(10, clock=lambda: now[0])
    assert client.get(LISTINGS).json()["total"] == 53
    catalogue.publish(session, "Nuevo")

    now[0] += 9.9
    kept = client.get(LISTINGS).json()
    now[0] += 0.1
    recounted = client.get(LISTINGS).json()

    assert (
        kept["total"] == 53 and len(kept["items"]) == 24 and kept["items"][0]["title"] == "Nuevo"
    )  # the rows are never kept
    assert recounted["total"] == 54
    assert (
        client.get(LISTINGS, params={"category": "miel"}).json()["total"] == 21
    )  # each filter its own count


def test_a_count_age_of_zero_counts_every_time(session: Session) -> None:
    counted = iter(range(10))
    counts = PublicCounts(0)

    assert [counts.get("all", lambda: next(counted)) for _ in range(3)] == [0, 1, 2]


def page_ids(response: Any) -> list[int]:
    links = elements(response, ".listing-card .card-link")
    return [int(str(attr(link, "href")).split("/")[2]) for link in links]


def test_the_catalogue_page_goes_forward_and_back_with_its_filters(
    client: TestClient, catalogue: Catalogue
) -> None:
    first = client.get("/catalogo", params={"state": "20", "sort": "price_asc"})
    assert not elements(first, "nav.pagination a[rel=prev]")
    seen, response, pages = page_ids(first), first, [first]
    while links := elements(response, "nav.pagination a[rel=next]"):
        href = attr(links[0], "href")
        assert href is not None and text_of(links[0]) == "Siguientes →"
        query = parse_qs(urlsplit(href).query, keep_blank_values=True)
        assert query["state"] == ["20"] and query["sort"] == ["price_asc"] and query["category"] == [""]
        response = client.get("/catalogo" + href)
        assert response.status_code == 200
        seen += page_ids(response)
        pages.append(response)

    expected = catalogue.ids("price_asc", lambda listing: catalogue.state_of[listing.organization_id] == "20")
    assert seen == expected and len(pages) == 2  # 27 listings: 24, then 3
    assert text_of(one(pages[1], "p[role=status]")) == "27 resultados"
    back = one(pages[1], "nav.pagination a[rel=prev]")
    assert text_of(back) == "← Anteriores"
    assert page_ids(client.get("/catalogo" + (attr(back, "href") or ""))) == expected[:24]


def test_the_pager_is_plain_links_that_wrap_on_a_narrow_screen(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = soup(client.get("/catalogo"))
    nav = one(page, "nav.pagination")

    assert attr(nav, "aria-label") == "Páginas" and not nav.select("button, script, [onclick]")
    assert [attr(arrow, "aria-hidden") for arrow in nav.select("span")] == [
        "true"
    ]  # the arrow is not read out
    css = client.get("/static/css/site.css").text
    assert ".pagination { display: flex; flex-wrap: wrap;" in css
