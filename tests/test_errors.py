"""Errors speak the client's language and name fields the way the client sent them: an unknown address or
a method an address does not take is the API's error body or the error page, in Spanish or English; a
validation error is keyed by the field's name or its dotted path, never "__all__" nor a bare position."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import api_token, signed_in
from tests.pages import flash, heading, is_fragment, one, texts

NOT_FOUND = {"es": "No encontramos lo que buscas.", "en": "We couldn't find what you're looking for."}
NOT_ALLOWED = {
    "es": "Esta dirección no acepta esa acción.",
    "en": "This address does not accept that action.",
}


@pytest.fixture
def lenient(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        yield client


# --- unknown addresses and methods -------------------------------------------------------------------


@pytest.mark.parametrize(("accept_language", "language"), [(None, "es"), ("en-US,en;q=0.9", "en")])
def test_an_unknown_api_address_or_method_is_the_error_body_in_the_clients_language(
    lenient: TestClient, accept_language: str | None, language: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}

    unknown = lenient.get("/api/v1/no-existe", headers=headers)
    wrong_method = lenient.delete("/api/v1/listings", headers=headers)

    assert (unknown.status_code, unknown.json()) == (
        404,
        {"error": "not_found", "detail": NOT_FOUND[language]},
    )
    assert (wrong_method.status_code, wrong_method.json()) == (
        405,
        {"error": "method_not_allowed", "detail": NOT_ALLOWED[language]},
    )
    assert "GET" in wrong_method.headers["allow"]


@pytest.mark.parametrize(
    ("cookie", "language", "title"),
    [(None, "es", "Página no encontrada"), ("en", "en", "Page not found")],
)
def test_an_unknown_page_or_method_is_the_error_page_in_the_persons_language(
    lenient: TestClient, cookie: str | None, language: str, title: str
) -> None:
    if cookie:
        lenient.cookies.set("lang", cookie)
    # A browser's Accept-Language does not choose the pages' language: the person's choice (cookie) does.
    headers = {"Accept-Language": "en"} if cookie is None else {}

    unknown = lenient.get("/no-existe", headers=headers)
    wrong_method = lenient.put("/catalogo", headers=headers)
    fragment = lenient.get("/no-existe", headers=headers | {"HX-Request": "true"})

    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")
    assert heading(unknown) == title and texts(unknown, "main h1 + p") == [NOT_FOUND[language]]
    assert wrong_method.status_code == 405 and texts(wrong_method, "main h1 + p") == [NOT_ALLOWED[language]]
    assert "GET" in wrong_method.headers["allow"] and not is_fragment(wrong_method)
    assert fragment.status_code == 404 and is_fragment(fragment)
    assert flash(fragment, "error") == f"{title}. {NOT_FOUND[language]}"


def test_an_error_page_shows_the_signed_in_persons_header(app: FastAPI, make_user: Any) -> None:
    make_user("ana@example.mx")
    browser = signed_in(app, "ana@example.mx")

    pages = [
        browser.get("/no-existe"),  # no route: nothing looked the person up before the error
        browser.put("/catalogo"),
        browser.get("/productos/99999999999999999999"),  # an id past its range: refused before the route
        browser.get("/productos/999999"),
    ]

    for page in pages:
        assert page.status_code in (404, 405)
        header = one(page, "header.site-header")
        assert "Salir" in texts(header, "button") and "Mi cuenta" in texts(header, "a")
        assert "Entrar" not in texts(header, "a")
    visitor = one(TestClient(app).get("/no-existe"), "header.site-header")
    assert "Entrar" in texts(visitor, "a") and texts(visitor, "button") == []


# --- validation errors keyed by field ------------------------------------------------------------------


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for choice in schema.get("anyOf", []):  # an optional body: its object form
        if "$ref" in choice or choice.get("type") == "object":
            return _resolve(spec, choice)
    return schema


def json_operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, set[str]]]:
    """(method, path with its parameters filled in, the body's property names) of every API operation
    that takes a JSON body."""
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if not path.startswith("/api/") or "application/json" not in content:
                continue
            schema = _resolve(spec, content["application/json"]["schema"])
            filled = re.sub(r"\{[a-z_]*id\}", "1", path)
            yield method, re.sub(r"\{[a-z_]+\}", "cafe", filled), set(schema.get("properties", {}))


def bad_bodies(properties: set[str]) -> Iterator[bytes]:
    """Bodies that are wrong as a whole (not JSON, not an object, empty) and in every field: an object
    where a value belongs, a list of objects where anything belongs (lists of objects fail item by item)."""
    yield b"{"
    yield b"[1, 2]"
    yield b"{}"
    yield json.dumps({name: {"x": [1]} for name in properties}).encode()
    yield json.dumps({name: [{"x": [1]}, 7] for name in properties}).encode()
    yield json.dumps({"not_a_field": 1}).encode()


def test_every_validation_error_of_every_api_body_is_keyed_by_a_field_it_names(
    lenient: TestClient, app: FastAPI, make_user: Any
) -> None:
    admin = api_token(lenient, make_user("admin@example.mx", is_admin=True).email)
    spec = app.openapi()
    refused = 0
    for method, path, properties in json_operations(spec):
        for body in bad_bodies(properties):
            response = lenient.request(
                method, path, content=body, headers=admin | {"Content-Type": "application/json"}
            )
            assert response.status_code < 500, (method, path, body, response.text)
            if response.status_code != 422:
                continue  # a body every field of which is optional
            refused += 1
            fields = response.json()["fields"]
            assert fields, (method, path, body)
            for key in fields:
                first, *rest = key.split(".")
                where = (method, path, body, key)
                assert key != "__all__" and not first.isdigit(), where
                assert first in properties | {"body", "not_a_field"} and "" not in rest, where
                assert fields[key] and "__" not in fields[key], where
    assert refused > 100  # the walk reached the bodies (a token, the paths' parameters)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"email": ', {"body": "No es un JSON válido: revisa las comillas, las comas y las llaves."}),
        (b'["ana@example.mx"]', {"body": "Se espera un objeto con sus campos."}),
        (b"", {"body": "Falta el cuerpo de la petición: envía los datos como un objeto JSON."}),
    ],
)
def test_a_body_that_is_not_a_json_object_is_keyed_body(
    client: TestClient, body: bytes, expected: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/auth/register", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422 and response.json()["fields"] == expected


def test_a_body_field_named_body_keeps_its_name(client: TestClient, make_user: Any, make_org: Any) -> None:
    """A conversation message's `body` is a field like any other, not "the whole request"."""
    owner = make_user()
    make_org(owner)
    response = client.post(
        "/api/v1/fulfillments/1/messages", headers=api_token(client, owner.email), json={"body": ""}
    )
    assert response.status_code == 422 and list(response.json()["fields"]) == ["body"]


def test_a_nested_error_is_keyed_by_its_dotted_path(client: TestClient, make_user: Any) -> None:
    buyer = api_token(client, make_user().email)
    response = client.post(
        "/api/v1/orders",
        headers=buyer | {"Accept-Language": "en"},
        json={"items": [{"listing_id": 1, "quantity": 1}, {"listing_id": 2, "quantity": 0}]},
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"items.1.quantity": "Must be greater than 0."}
