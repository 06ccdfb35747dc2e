"""Reviews on the pages: the buyer's star form on the order page (without JavaScript, and as an htmx
fragment), the producer's reply, and the averages and latest reviews on listing, organization and catalog
pages."""

from __future__ import annotations

from typing import Any

from bs4 import Tag
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.db import transaction
from market.reviews import service
from market.reviews.models import Review
from tests.helpers import csrf_of, log_in
from tests.pages import (
    Htmx,
    attr,
    elements,
    field_error,
    flash,
    flashes,
    hrefs,
    is_fragment,
    main,
    one,
    soup,
    text_of,
    texts,
    value_of,
)
from tests.reviews.conftest import Buy


def shown_after(client: TestClient, response: Response, htmx: Htmx, part: Any) -> Tag:
    """What the person sees after sending a review or a reply: with htmx, the part's box swapped in place
    (htmx swaps only a 200, so a refusal comes back as one too); without, the page the form went to."""
    if htmx:
        assert response.status_code == 200 and is_fragment(response)
        return soup(response)
    if response.status_code == 303:
        assert response.headers["location"] == f"/pedidos/{part.order_id}#parte-{part.id}"
        return main(client.get(f"/pedidos/{part.order_id}"))
    assert response.status_code == 422 and flash(response, "error") == "Revisa los datos marcados."
    return main(response)


def test_the_buyer_rates_a_completed_part_on_the_order_page(
    client: TestClient, session: Session, shop: dict[str, Any], buy: Buy, htmx: Htmx
) -> None:
    part = buy([shop["coffee"]])
    waiting = buy([shop["honey"]], until="preparing")
    log_in(client, shop["buyer"].email)
    order_page = f"/pedidos/{part.order_id}"
    form = one(client.get(order_page), f"#resena-{part.id} form.review-form")
    assert len(elements(form, "input[type=radio][name=rating]")) == 5
    assert text_of(one(form, "legend")) == "¿Cómo calificas esta entrega?"
    assert "5 estrellas" in text_of(one(form, f"label[for='estrellas-{part.id}-5']"))
    assert elements(client.get(f"/pedidos/{waiting.order_id}"), "[name=rating]") == []  # not completed yet

    token = csrf_of(client, order_page)
    url = f"{order_page}/partes/{part.id}/resena"
    sent = client.post(
        url, data={"csrf_token": token, "rating": "5", "comment": "Aroma increíble."}, headers=htmx.headers
    )
    shown = shown_after(client, sent, htmx, part)
    assert flashes(shown) == ["Gracias por tu reseña."]
    box = one(shown, f"#resena-{part.id}")
    assert texts(box, ".review-comment") == ["Aroma increíble."]
    assert attr(one(box, ".stars"), "aria-label") == "5 de 5 estrellas"
    assert elements(box, "[name=rating]") == []  # no second form
    assert session.exec(select(Review.fulfillment_id, Review.rating, Review.comment)).all() == [
        (part.id, 5, "Aroma increíble.")
    ]

    twice = client.post(url, data={"csrf_token": token, "rating": "1"}, headers=htmx.headers)
    assert htmx.went_to(twice) == f"{order_page}#parte-{part.id}"  # where the message shows
    assert "solo se puede calificar una vez" in flash(client.get(order_page), "error")
    refused = client.post(url, data={"rating": "5"}, headers=htmx.headers)
    assert refused.status_code == 403  # no CSRF token


def test_a_refused_review_comes_back_with_the_typed_comment_and_the_reason(
    client: TestClient, shop: dict[str, Any], buy: Buy, htmx: Htmx
) -> None:
    part = buy([shop["coffee"]])
    log_in(client, shop["buyer"].email)
    token = csrf_of(client, f"/pedidos/{part.order_id}")
    url = f"/pedidos/{part.order_id}/partes/{part.id}/resena"
    for rating in ("x", "0", "6", ""):
        data = {"csrf_token": token, "rating": rating, "comment": "Llegó <bien>"}
        refused = client.post(url, data=data, headers=htmx.headers)
        box = one(shown_after(client, refused, htmx, part), f"#resena-{part.id}")
        assert field_error(box, "rating") == "Elige una calificación de 1 a 5 estrellas."
        assert value_of(box, "comment") == "Llegó <bien>"  # kept, and escaped (else it would read as a tag)
    data = {"csrf_token": token, "rating": "4", "comment": "z" * 2001}
    box = shown_after(client, client.post(url, data=data, headers=htmx.headers), htmx, part)
    assert "hasta 2000 caracteres" in (field_error(box, "comment") or "")
    assert value_of(box, "rating") == "4"  # the chosen stars stay chosen

    done = client.post(
        url, data={"csrf_token": token, "rating": "3", "comment": "Bien"}, headers=htmx.headers
    )
    box = one(shown_after(client, done, htmx, part), f"#resena-{part.id}")
    assert attr(one(box, ".stars"), "aria-label") == "3 de 5 estrellas"
    late = client.post(url, data={"csrf_token": token, "rating": "3"}, headers=htmx.headers)
    assert htmx.went_to(late) == f"/pedidos/{part.order_id}#parte-{part.id}"  # to see the message


def test_only_the_buyer_gets_the_form_and_others_are_refused(
    client: TestClient, shop: dict[str, Any], buy: Buy, make_user: Any
) -> None:
    part = buy([shop["coffee"]])
    url = f"/pedidos/{part.order_id}/partes/{part.id}/resena"
    token = csrf_of(client)
    anonymous = client.post(url, data={"csrf_token": token, "rating": "5"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/entrar")

    log_in(client, shop["owner"].email)
    assert elements(client.get(f"/pedidos/{part.order_id}"), "[name=rating]") == []
    token = csrf_of(client, f"/pedidos/{part.order_id}")
    client.post(url, data={"csrf_token": token, "rating": "5"})
    assert flash(client.get(f"/pedidos/{part.order_id}"), "error").startswith(
        "Solo quien compró puede calificar"
    )

    client.cookies.clear()
    log_in(client, make_user("curioso@example.mx").email)
    token = csrf_of(client, "/pedidos")
    other_order = f"/pedidos/{part.order_id + 1}/partes/{part.id}/resena"
    assert client.post(other_order, data={"csrf_token": token, "rating": "5"}).status_code == 404
    client.post(url, data={"csrf_token": token, "rating": "5"})
    assert client.get(f"/pedidos/{part.order_id}").status_code == 404  # not theirs to see either
    client.cookies.clear()
    log_in(client, shop["buyer"].email)
    assert len(elements(client.get(f"/pedidos/{part.order_id}"), "[name=rating]")) == 5  # not reviewed yet


def test_the_producer_replies_once_on_the_order_page(
    client: TestClient, engine: Engine, session: Session, shop: dict[str, Any], buy: Buy, htmx: Htmx
) -> None:
    part = buy([shop["coffee"]])
    with transaction(engine) as tx:
        review = service.create(tx, shop["buyer"], part.id or 0, 2, "Faltó un poco de peso.")
    log_in(client, shop["owner"].email)
    box = one(client.get(f"/pedidos/{part.order_id}"), f"#resena-{part.id}")
    assert texts(box, ".review-comment") == ["Faltó un poco de peso."] and elements(box, "[name=reply]")
    token = csrf_of(client, f"/pedidos/{part.order_id}")
    url = f"/pedidos/{part.order_id}/resenas/{review.id}/respuesta"

    empty = client.post(url, data={"csrf_token": token, "reply": "   "}, headers=htmx.headers)
    box = one(shown_after(client, empty, htmx, part), f"#resena-{part.id}")
    assert field_error(box, "reply") == "Escribe tu respuesta (de 1 a 2000 caracteres)."
    reply = {"csrf_token": token, "reply": "Te reponemos 100 g en tu próximo pedido."}
    shown = shown_after(client, client.post(url, data=reply, headers=htmx.headers), htmx, part)
    assert flashes(shown) == ["Publicamos tu respuesta."]
    box = one(shown, f"#resena-{part.id}")
    assert texts(box, ".review-reply p:not(.small)") == ["Te reponemos 100 g en tu próximo pedido."]
    assert elements(box, "[name=reply]") == []
    session.expire_all()
    assert session.exec(select(Review.reply)).all() == ["Te reponemos 100 g en tu próximo pedido."]
    again = client.post(url, data={"csrf_token": token, "reply": "Otra"}, headers=htmx.headers)
    assert htmx.went_to(again) == f"/pedidos/{part.order_id}#parte-{part.id}"
    assert "solo se puede responder una vez" in flash(client.get(f"/pedidos/{part.order_id}"), "error")

    client.cookies.clear()
    log_in(client, shop["buyer"].email)
    box = one(client.get(f"/pedidos/{part.order_id}"), f"#resena-{part.id}")
    assert texts(box, ".review-reply strong") == ["Respuesta de la organización"]
    assert elements(box, "[name=reply]") == []


def test_listing_organization_and_catalog_pages_show_averages_and_latest_reviews(
    client: TestClient, engine: Engine, shop: dict[str, Any], buy: Buy
) -> None:
    coffee, honey, org = shop["coffee"], shop["honey"], shop["organization"]
    no_reviews = "Este producto todavía no tiene reseñas."
    assert texts(client.get(f"/productos/{coffee.id}/{coffee.slug}"), "section.reviews p") == [no_reviews]
    comments = ["Muy rico", "Regular", "Excelente", "Bueno", "Llegó bien", "Sabroso", "El mejor"]
    ratings = [5, 3, 5, 4, 4, 5, 4]
    for rating, comment in zip(ratings, comments, strict=True):
        part = buy([coffee])
        with transaction(engine) as tx:
            review = service.create(tx, shop["buyer"], part.id or 0, rating, comment)
    with transaction(engine) as tx:
        service.reply(tx, shop["owner"], review.id or 0, "¡Gracias, vuelve pronto!")

    listing_page = one(client.get(f"/productos/{coffee.id}/{coffee.slug}"), "section.reviews")
    summary = one(listing_page, ".rating-summary")
    assert text_of(one(summary, "strong")) == "4.3" and text_of(summary).endswith("· 7 reseñas")  # 30 / 7
    # only the latest five, newest first
    assert texts(listing_page, ".review-comment") == [
        "El mejor",
        "Sabroso",
        "Llegó bien",
        "Bueno",
        "Excelente",
    ]
    assert "¡Gracias, vuelve pronto!" in texts(listing_page, ".review-reply p")
    authors = texts(listing_page, ".review-head strong")
    assert authors and all(author.startswith("Luis") for author in authors)
    assert "Hernández" not in text_of(listing_page)
    assert f"/productores/{org.slug}/resenas" in hrefs(listing_page)
    assert texts(client.get(f"/productos/{honey.id}/{honey.slug}"), "section.reviews p") == [no_reviews]

    profile = one(client.get(f"/productores/{org.slug}"), "section.reviews")
    assert text_of(one(profile, ".rating-summary")).endswith("· 7 reseñas")
    assert "El mejor" in texts(profile, ".review-comment")
    assert f"/productores/{org.slug}/resenas" in hrefs(profile)
    three_stars = next(
        row
        for row in elements(profile, ".rating-distribution tr")
        if text_of(one(row, "th")) == "3 estrellas"
    )
    assert attr(one(three_stars, "meter"), "value") == "1"
    everything = texts(client.get(f"/productores/{org.slug}/resenas"), ".review-comment")
    assert sorted(everything) == sorted(comments)
    assert everything.index("El mejor") < everything.index("Muy rico")  # newest first

    cards = {text_of(one(card, "h3")): card for card in elements(client.get("/catalogo"), ".listing-card")}
    coffee_card, honey_card = cards["Café de altura"], cards["Miel multifloral"]
    assert attr(one(coffee_card, ".stars"), "aria-label") == "4.3 de 5 estrellas"
    assert text_of(one(coffee_card, ".rating-line .muted")) == "(7 reseñas)"
    assert elements(honey_card, ".stars") == [] and "estrellas" not in text_of(honey_card)  # no reviews
    home_stars = [attr(stars, "aria-label") for stars in elements(client.get("/"), ".listing-card .stars")]
    assert "4.3 de 5 estrellas" in home_stars


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
