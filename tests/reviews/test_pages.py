"""Reviews on the pages: the buyer's star form on the order page (without JavaScript, and as an htmx
fragment), the producer's reply, and the averages and latest reviews on listing, organization and catalog
pages."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from market.db import transaction
from market.reviews import service
from tests.helpers import csrf_of, log_in
from tests.reviews.conftest import Buy


def test_the_buyer_rates_a_completed_part_on_the_order_page(
    client: TestClient, shop: dict[str, Any], buy: Buy
) -> None:
    part = buy([shop["coffee"]])
    waiting = buy([shop["honey"]], until="preparing")
    log_in(client, shop["buyer"].email)
    page = client.get(f"/pedidos/{part.order_id}").text
    assert page.count('type="radio"') == 5 and 'name="rating"' in page
    assert "<legend>¿Cómo calificas esta entrega?</legend>" in page
    assert f'for="estrellas-{part.id}-5"' in page and "5 estrellas" in page
    assert 'name="rating"' not in client.get(f"/pedidos/{waiting.order_id}").text  # not completed yet

    token = csrf_of(client, f"/pedidos/{part.order_id}")
    sent = client.post(
        f"/pedidos/{part.order_id}/partes/{part.id}/resena",
        data={"csrf_token": token, "rating": "5", "comment": "Aroma increíble."},
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/pedidos/{part.order_id}#parte-{part.id}"
    page = client.get(f"/pedidos/{part.order_id}").text
    assert "Gracias por tu reseña." in page and "Aroma increíble." in page
    assert 'aria-label="5 de 5 estrellas"' in page and 'name="rating"' not in page

    twice = client.post(
        f"/pedidos/{part.order_id}/partes/{part.id}/resena", data={"csrf_token": token, "rating": "1"}
    )
    assert twice.status_code == 303
    assert "solo se puede calificar una vez" in client.get(f"/pedidos/{part.order_id}").text
    refused = client.post(f"/pedidos/{part.order_id}/partes/{part.id}/resena", data={"rating": "5"})
    assert refused.status_code == 403  # no CSRF token


def test_a_refused_review_comes_back_with_the_typed_comment_and_the_reason(
    client: TestClient, shop: dict[str, Any], buy: Buy
) -> None:
    part = buy([shop["coffee"]])
    log_in(client, shop["buyer"].email)
    token = csrf_of(client, f"/pedidos/{part.order_id}")
    url = f"/pedidos/{part.order_id}/partes/{part.id}/resena"
    for rating in ("x", "0", "6", ""):
        refused = client.post(url, data={"csrf_token": token, "rating": rating, "comment": "Llegó <bien>"})
        assert refused.status_code == 422
        assert "Elige una calificación de 1 a 5 estrellas." in refused.text
        assert "Llegó &lt;bien&gt;</textarea>" in refused.text  # kept, and escaped
    too_long = client.post(url, data={"csrf_token": token, "rating": "4", "comment": "z" * 2001})
    assert too_long.status_code == 422 and "hasta 2000 caracteres" in too_long.text
    assert re.search(r'value="4" required\s+checked', too_long.text)  # the chosen stars stay chosen

    fragment = client.post(
        url, data={"csrf_token": token, "rating": "x", "comment": "Bien"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text  # htmx swaps only successes
    assert f'id="resena-{part.id}"' in fragment.text and "Elige una calificación" in fragment.text
    done = client.post(
        url, data={"csrf_token": token, "rating": "3", "comment": "Bien"}, headers={"HX-Request": "true"}
    )
    assert done.status_code == 200 and "Gracias por tu reseña." in done.text
    assert 'aria-label="3 de 5 estrellas"' in done.text and "<html" not in done.text
    late = client.post(url, data={"csrf_token": token, "rating": "3"}, headers={"HX-Request": "true"})
    assert late.headers["hx-redirect"] == f"/pedidos/{part.order_id}#parte-{part.id}"  # to see the message


def test_only_the_buyer_gets_the_form_and_others_are_refused(
    client: TestClient, shop: dict[str, Any], buy: Buy, make_user: Any
) -> None:
    part = buy([shop["coffee"]])
    url = f"/pedidos/{part.order_id}/partes/{part.id}/resena"
    token = csrf_of(client)
    anonymous = client.post(url, data={"csrf_token": token, "rating": "5"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/entrar")

    log_in(client, shop["owner"].email)
    assert 'name="rating"' not in client.get(f"/pedidos/{part.order_id}").text
    token = csrf_of(client, f"/pedidos/{part.order_id}")
    client.post(url, data={"csrf_token": token, "rating": "5"})
    assert "Solo quien compró puede calificar" in client.get(f"/pedidos/{part.order_id}").text

    client.cookies.clear()
    log_in(client, make_user("curioso@example.mx").email)
    token = csrf_of(client, "/pedidos")
    other_order = f"/pedidos/{part.order_id + 1}/partes/{part.id}/resena"
    assert client.post(other_order, data={"csrf_token": token, "rating": "5"}).status_code == 404
    client.post(url, data={"csrf_token": token, "rating": "5"})
    assert client.get(f"/pedidos/{part.order_id}").status_code == 404  # not theirs to see either
    client.cookies.clear()
    log_in(client, shop["buyer"].email)
    assert 'name="rating"' in client.get(f"/pedidos/{part.order_id}").text  # still not reviewed


def test_the_producer_replies_once_on_the_order_page(
    client: TestClient, engine: Engine, shop: dict[str, Any], buy: Buy
) -> None:
    part = buy([shop["coffee"]])
    with transaction(engine) as tx:
        review = service.create(tx, shop["buyer"], part.id or 0, 2, "Faltó un poco de peso.")
    log_in(client, shop["owner"].email)
    page = client.get(f"/pedidos/{part.order_id}").text
    assert "Faltó un poco de peso." in page and 'name="reply"' in page
    token = csrf_of(client, f"/pedidos/{part.order_id}")
    url = f"/pedidos/{part.order_id}/resenas/{review.id}/respuesta"

    empty = client.post(url, data={"csrf_token": token, "reply": "   "})
    assert empty.status_code == 422 and "Escribe tu respuesta (de 1 a 2000 caracteres)." in empty.text
    sent = client.post(url, data={"csrf_token": token, "reply": "Te reponemos 100 g en tu próximo pedido."})
    assert sent.status_code == 303
    page = client.get(f"/pedidos/{part.order_id}").text
    assert "Publicamos tu respuesta." in page and "Te reponemos 100 g" in page
    assert 'name="reply"' not in page
    client.post(url, data={"csrf_token": token, "reply": "Otra"})
    assert "solo se puede responder una vez" in client.get(f"/pedidos/{part.order_id}").text

    client.cookies.clear()
    log_in(client, shop["buyer"].email)
    page = client.get(f"/pedidos/{part.order_id}").text
    assert "Respuesta de la organización" in page and 'name="reply"' not in page


def test_listing_organization_and_catalog_pages_show_averages_and_latest_reviews(
    client: TestClient, engine: Engine, shop: dict[str, Any], buy: Buy
) -> None:
    coffee, honey, org = shop["coffee"], shop["honey"], shop["organization"]
    no_reviews = "Este producto todavía no tiene reseñas."
    assert no_reviews in client.get(f"/productos/{coffee.id}/{coffee.slug}").text
    comments = ["Muy rico", "Regular", "Excelente", "Bueno", "Llegó bien", "Sabroso", "El mejor"]
    ratings = [5, 3, 5, 4, 4, 5, 4]
    for rating, comment in zip(ratings, comments, strict=True):
        part = buy([coffee])
        with transaction(engine) as tx:
            review = service.create(tx, shop["buyer"], part.id or 0, rating, comment)
    with transaction(engine) as tx:
        service.reply(tx, shop["owner"], review.id or 0, "¡Gracias, vuelve pronto!")

    listing_page = client.get(f"/productos/{coffee.id}/{coffee.slug}").text
    assert "4.3" in listing_page and "7 reseñas" in listing_page  # 30 / 7 = 4.29
    assert "El mejor" in listing_page and "¡Gracias, vuelve pronto!" in listing_page
    assert "Muy rico" not in listing_page and "Regular" not in listing_page  # only the latest five
    assert "Luis" in listing_page and "Hernández" not in listing_page
    assert f'href="/productores/{org.slug}/resenas"' in listing_page
    assert no_reviews in client.get(f"/productos/{honey.id}/{honey.slug}").text

    profile = client.get(f"/productores/{org.slug}").text
    assert "7 reseñas" in profile and "El mejor" in profile and f"/productores/{org.slug}/resenas" in profile
    assert re.search(r"3 estrellas</th><td><meter[^>]*value=\"1\"", profile)
    everything = client.get(f"/productores/{org.slug}/resenas").text
    assert all(comment in everything for comment in comments)
    assert everything.index("El mejor") < everything.index("Muy rico")  # newest first

    catalog = client.get("/catalogo").text
    cards = catalog.split('class="card listing-card"')[1:]
    coffee_card = next(card for card in cards if "Café de altura" in card)
    honey_card = next(card for card in cards if "Miel multifloral" in card)
    assert 'aria-label="4.3 de 5 estrellas"' in coffee_card and "(7 reseñas)" in coffee_card
    assert "estrellas" not in honey_card  # no reviews, no stars
    assert 'aria-label="4.3 de 5 estrellas"' in client.get("/").text


def test_a_part_of_someone_elses_order_is_the_page_of_an_unknown_id(
    client: TestClient, shop: dict[str, Any], buy: Buy, make_user: Any
) -> None:
    part = buy([shop["coffee"]])
    make_user("curioso@example.mx")
    log_in(client, "curioso@example.mx")
    token = csrf_of(client, "/carrito")

    def attempts(fulfillment_id: int) -> list[tuple[int, str]]:
        path = f"/pedidos/{part.order_id}/partes/{fulfillment_id}"
        step = client.post(path, data={"csrf_token": token, "status": "cancelled"})
        after_step = client.get(step.headers["location"])  # the message the step left
        review = client.post(f"{path}/resena", data={"csrf_token": token, "rating": "1"})
        return [
            (r.status_code, r.text.replace(path, "PATH").replace(f"/{fulfillment_id}#", "/ID#"))
            for r in (step, after_step, review)
        ]

    hidden = attempts(part.id or 0)
    assert hidden == attempts((part.id or 0) + 1000)
    assert "Solo quien compró" not in str(hidden) and hidden[2][0] == 404
