"""The reviews API: rate, reply, and read an organization's or a listing's reviews with their summary."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import api_token
from tests.reviews.conftest import Buy


def test_review_reply_and_read_through_the_api(
    client: TestClient, shop: dict[str, Any], buy: Buy, make_user: Any
) -> None:
    part = buy([shop["coffee"]])
    waiting = buy([shop["honey"]], until="ready_for_pickup")
    buyer, producer = api_token(client, shop["buyer"].email), api_token(client, shop["owner"].email)
    stranger = api_token(client, make_user("curioso@example.mx").email)
    url = f"/api/v1/fulfillments/{part.id}/review"
    body = {"rating": 4, "comment": "Buen café"}

    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers=stranger).json()["error"] == "not_found"
    assert client.post(url, json=body, headers=producer).status_code == 403
    early = client.post(f"/api/v1/fulfillments/{waiting.id}/review", json=body, headers=buyer)
    assert (early.status_code, early.json()["error"]) == (409, "not_completed")
    refusals = ((0, "Elige una calificación de 1 a 5 estrellas."), ("x", "Escribe un número entero."))
    for rating, message in refusals:
        refused = client.post(url, json={"rating": rating}, headers=buyer)
        assert refused.status_code == 422 and refused.json()["fields"]["rating"] == message

    created = client.post(url, json=body, headers=buyer)
    assert created.status_code == 201, created.text
    review = created.json()
    assert review["rating"] == 4 and review["author_name"] == "Luis" and review["reply"] is None
    again = client.post(url, json={"rating": 1}, headers=buyer)
    assert again.status_code == 409 and again.json() == {
        "error": "already_reviewed",
        "detail": "Esta entrega ya tiene una reseña: solo se puede calificar una vez.",
    }

    reply_url = f"/api/v1/reviews/{review['id']}/reply"
    assert client.post(reply_url, json={"text": "Gracias"}, headers=buyer).status_code == 403
    replied = client.post(reply_url, json={"text": "¡Gracias por tu compra!"}, headers=producer)
    assert replied.status_code == 200 and replied.json()["reply"] == "¡Gracias por tu compra!"
    assert client.post(reply_url, json={"text": "Otra vez"}, headers=producer).status_code == 409

    slug = shop["organization"].slug
    listed = client.get(f"/api/v1/organizations/{slug}/reviews").json()  # public: no token needed
    assert listed["summary"] == {
        "average": 4.0,
        "count": 1,
        "distribution": {"5": 0, "4": 1, "3": 0, "2": 0, "1": 0},
    }
    assert listed["total"] == 1 and listed["items"][0]["reply"] == "¡Gracias por tu compra!"
    assert "Hernández" not in str(listed) and "luis@example.mx" not in str(listed)
    coffee = client.get(f"/api/v1/listings/{shop['coffee'].id}/reviews").json()
    assert coffee["summary"]["count"] == 1 and coffee["items"][0]["comment"] == "Buen café"
    honey = client.get(f"/api/v1/listings/{shop['honey'].id}/reviews").json()
    assert (honey["summary"]["count"], honey["items"]) == (0, [])
    assert client.get("/api/v1/organizations/no-existe/reviews").status_code == 404
    assert client.get("/api/v1/listings/999999/reviews").status_code == 404


def test_a_part_of_an_order_is_the_404_of_an_unknown_id_to_whoever_may_not_know_it(
    client: TestClient, shop: dict[str, Any], buy: Buy, make_user: Any, make_org: Any
) -> None:
    part = buy([shop["coffee"]])
    waiting = buy([shop["honey"]], until="ready_for_pickup")
    make_org(make_user("miel@example.mx"), name="Apicultoras del Puuc", state="31")
    rival = api_token(client, "miel@example.mx")  # a producer, not in this order
    stranger = api_token(client, make_user("curioso@example.mx").email)

    def attempts(headers: dict[str, str], fulfillment_id: int) -> list[tuple[int, Any]]:
        url = f"/api/v1/fulfillments/{fulfillment_id}"
        responses = [
            client.post(f"{url}/moves", json={"status": "accepted"}, headers=headers),
            client.post(f"{url}/review", json={"rating": 1}, headers=headers),
            client.post(f"{url}/dispute", json={"reason": "No llegó nada de lo que pedí."}, headers=headers),
            client.get(f"{url}/messages", headers=headers),
        ]
        return [(r.status_code, r.json()) for r in responses]

    for outsider in (rival, stranger):
        hidden = attempts(outsider, part.id or 0)
        assert hidden == attempts(outsider, (part.id or 0) + 1000)
        assert {status for status, _body in hidden} == {404}

    # The buyer and the producer know the part exists: each is refused the other's steps, naming nobody.
    buyer, producer = api_token(client, shop["buyer"].email), api_token(client, shop["owner"].email)
    known = [
        client.post(f"/api/v1/fulfillments/{waiting.id}/moves", json={"status": "preparing"}, headers=buyer),
        client.post(f"/api/v1/fulfillments/{part.id}/review", json={"rating": 1}, headers=producer),
        client.post(
            f"/api/v1/fulfillments/{part.id}/dispute", json={"reason": "Nunca me pagaron."}, headers=producer
        ),
    ]
    assert [r.status_code for r in known] == [403] * 3
    names = (shop["organization"].name, shop["buyer"].name)
    assert not any(name in r.json()["detail"] for r in known for name in names)
