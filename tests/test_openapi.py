"""/openapi.json describes what the server does: who needs a token, the one error body, the vocabularies as
enums, and 201 for every create. (scripts/fuzz-api.sh checks the live answers against it.)"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from market.catalog.taxonomy import CATEGORIES_BY_SLUG, UNITS
from market.linking.models import DemandStatus
from market.mexico import CERTIFICATIONS, LEGAL_FORMS, STATES_BY_CODE
from market.orders.models import FulfillmentStatus, OrderStatus

PUBLIC_READS = [
    "/healthz",
    "/api/v1/listings",
    "/api/v1/listings/{listing_id}",
    "/api/v1/listings/{listing_id}/reviews",
    "/api/v1/organizations",
    "/api/v1/organizations/{slug}",
    "/api/v1/organizations/{slug}/reviews",
    "/api/v1/search",
    "/api/v1/search/suggestions",
    "/api/v1/impacto",
]
CREATES = [
    "/api/v1/auth/register",
    "/api/v1/auth/tokens",
    "/api/v1/organizations",
    "/api/v1/organizations/{slug}/invitations",
    "/api/v1/organizations/{slug}/listings",
    "/api/v1/organizations/{slug}/listings/import",
    "/api/v1/listings/{listing_id}/photos",
    "/api/v1/orders",
    "/api/v1/cart/checkout",
    "/api/v1/orders/{order_id}/payment",
    "/api/v1/buyer-organizations",
    "/api/v1/buyer-organizations/{buyer_id}/invitations",
    "/api/v1/buyer-organizations/{buyer_id}/demands",
    "/api/v1/demands/{demand_id}/quotes",
    "/api/v1/demands/{demand_id}/award",
    "/api/v1/demands/{demand_id}/threads/{slug}",
    "/api/v1/fulfillments/{fulfillment_id}/messages",
    "/api/v1/fulfillments/{fulfillment_id}/dispute",
    "/api/v1/fulfillments/{fulfillment_id}/review",
]


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def resolved(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in response:
        return document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def schema_of(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["components"]["schemas"][name]


def test_public_reads_need_no_token_and_the_rest_of_the_api_does(document: dict[str, Any]) -> None:
    for path in PUBLIC_READS:
        assert "security" not in document["paths"][path]["get"], path
    for path in ("/api/v1/me", "/api/v1/orders", "/api/v1/cart", "/api/v1/admin/audit"):
        assert document["paths"][path]["get"]["security"] == [{"HTTPBearer": []}], path


def test_the_document_says_which_operations_refuse_an_anonymous_caller(
    client: TestClient, document: dict[str, Any]
) -> None:
    """Every operation, called without a token: 401 exactly where the document asks for one."""
    for path, method, op in operations(document):
        url = path.format(**{p["name"]: "1" for p in op.get("parameters", []) if p["in"] == "path"})
        response = client.request(method, url)
        assert (response.status_code == 401) == ("security" in op), (method, path, response.status_code)
        assert response.status_code in {int(s) for s in op["responses"]}, (method, path, response.status_code)


def test_every_refusal_answers_the_error_body(document: dict[str, Any]) -> None:
    body = schema_of(document, "ErrorBody")
    assert set(body["required"]) == {"error", "detail"}
    assert body["properties"]["fields"]["type"] == "object"
    assert body["properties"]["fields"]["additionalProperties"] == {"type": "string"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, method, op in operations(document):
        assert "422" in op["responses"], (method, path)
        for status, response in op["responses"].items():
            if int(status) >= 400:
                schema = resolved(document, response)["content"]["application/json"]["schema"]
                name = schema["$ref"].rsplit("/", 1)[1]
                assert name in {"ErrorBody", "ImportReport", "Health"}, (method, path, status)
    report = schema_of(document, "ImportReport")
    assert {"error", "detail", "fields", "rows"} <= report["properties"].keys()


def test_refusals_follow_from_what_a_route_takes(document: dict[str, Any]) -> None:
    me = document["paths"]["/api/v1/me"]["get"]["responses"]
    assert {"401", "422"} <= me.keys() and "404" not in me and "403" not in me
    listing = document["paths"]["/api/v1/listings/{listing_id}"]["get"]["responses"]  # a token is optional
    assert {"401", "404"} <= listing.keys() and "403" not in listing
    patch = document["paths"]["/api/v1/listings/{listing_id}"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "422"} <= patch.keys()
    assert "503" in document["paths"]["/api/v1/search"]["get"]["responses"]
    assert "403" in document["paths"]["/api/v1/admin/audit"]["get"]["responses"]  # administrators only
    assert "429" in document["paths"]["/api/v1/auth/tokens"]["post"]["responses"]


def enum_of(document: dict[str, Any], name: str) -> list[Any]:
    return schema_of(document, name)["enum"]


def ref(schema: dict[str, Any]) -> str:
    """The vocabulary a property refers to, through an optional null or an array."""
    for option in schema.get("anyOf", [schema]):
        option = option.get("items", option)
        if "$ref" in option:
            return str(option["$ref"].rsplit("/", 1)[1])
    return ""


def test_vocabularies_are_enums_in_requests_and_responses(document: dict[str, Any]) -> None:
    assert enum_of(document, "StateCode") == list(STATES_BY_CODE) == [f"{n:02}" for n in range(1, 33)]
    assert enum_of(document, "CategorySlug") == list(CATEGORIES_BY_SLUG)
    assert enum_of(document, "UnitCode") == list(UNITS)
    assert enum_of(document, "LegalForm") == list(LEGAL_FORMS)
    assert enum_of(document, "Certification") == list(CERTIFICATIONS)
    assert enum_of(document, "FulfillmentStatus") == list(FulfillmentStatus)
    assert enum_of(document, "OrderStatus") == list(OrderStatus)
    assert enum_of(document, "DemandStatus") == [s.value for s in DemandStatus]
    uses = {
        "ListingCreate": {"category": "CategorySlug", "unit": "UnitCode", "delivery_states": "StateCode"},
        "ListingPublic": {"state": "StateCode", "category": "CategorySlug", "status": "ListingStatus"},
        "OrganizationCreate": {"legal_form": "LegalForm", "certifications": "Certification"},
        "OrganizationPublic": {"legal_form": "LegalForm", "verification_status": "VerificationStatus"},
        "Checkout": {"payment_method": "PaymentMethod", "delivery_state": "StateCode"},
        "OrderPublic": {"status": "OrderStatus", "payment_method": "PaymentMethod"},
        "FulfillmentPublic": {"status": "FulfillmentStatus", "delivery_method": "DeliveryMethod"},
        "EventPublic": {"from_status": "FulfillmentStatus", "to_status": "FulfillmentStatus"},
        "PaymentPublic": {"status": "PaymentStatus"},
        "OrganizationChangePublic": {"status": "ChangeStatus"},
        "ListingModeration": {"status": "ListingStatus"},
        "DemandCreate": {"unit": "UnitCode", "every_days": "DeliveryFrequency"},
        "DemandPublic": {"status": "DemandStatus", "delivery_state": "StateCode"},
        "QuotePublic": {"status": "QuoteStatus"},
        "DisputePublic": {"status": "DisputeStatus"},
        "BuyerOrganizationCreate": {"kind": "BuyerKind", "regimen_fiscal": "RegimenFiscal"},
        "Hit": {"state": "StateCode", "unit": "UnitCode"},
    }
    for model, fields in uses.items():
        properties = schema_of(document, model)["properties"]
        assert {field: ref(properties[field]) for field in fields} == fields, model
    filters = {p["name"]: ref(p["schema"]) for p in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert filters["state"] == filters["delivers_to"] == "StateCode"
    assert filters["category"] == "CategorySlug"
    listing_filters = document["paths"]["/api/v1/listings"]["get"]["parameters"]
    assert {p["name"]: ref(p["schema"]) for p in listing_filters}["state"] == "StateCode"


def test_every_create_answers_201(document: dict[str, Any]) -> None:
    for path in CREATES:
        responses = document["paths"][path]["post"]["responses"]
        assert "201" in responses, path
        assert responses.get("200", {}).get("description", "") != "Successful Response", path


def test_a_filter_outside_its_vocabulary_is_refused_as_the_document_says(client: TestClient) -> None:
    response = client.get("/api/v1/listings", params={"state": "33"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"state": "Elige una de las 32 entidades federativas."}
    assert client.get("/api/v1/organizations", params={"legal_form": "sa_de_cv"}).status_code == 422
    assert client.get("/api/v1/listings", params={"state": "20"}).status_code == 200
