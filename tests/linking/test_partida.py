"""The partida presupuestal of a demand through the JSON API: the code's shape (4 or 5 digits of the
Clasificador por Objeto del Gasto), an optional description, and an institution that requires it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from market.linking.models import Demand
from market.linking.schemas import DemandCreate
from tests.helpers import count, demand_fields
from tests.linking.conftest import demand_body, verified_institution


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("2211", "2211"),
        ("22101", "22101"),
        (" 2211 ", "2211"),
        ("22 101", "22101"),
        (2211, "2211"),
        ("", None),
        (None, None),
    ],
)
def test_a_partida_code_is_four_or_five_digits(typed: str | int | None, kept: str | None) -> None:
    assert DemandCreate(**(demand_fields() | {"partida_code": typed})).partida_code == kept


@pytest.mark.parametrize(
    "typed", ["221", "221011", "0211", "22A1", "２２１１", "2211-1", "-2211", 221, True, {"x": [1]}, ["2211"]]
)
def test_other_shapes_of_a_partida_code_are_refused(typed: object) -> None:
    with pytest.raises(ValidationError) as refused:
        DemandCreate(**(demand_fields() | {"partida_code": typed}))
    assert [error["loc"] for error in refused.value.errors()] == [("partida_code",)]


def test_the_api_takes_and_shows_the_partida_and_the_institution_may_require_it(
    app: FastAPI, client: TestClient, session: Session, parties: dict[str, Any]
) -> None:
    school = parties["school"]
    institution = verified_institution(client, parties)
    demands = f"/api/v1/buyer-organizations/{institution['id']}/demands"
    partida = {"partida_code": "2211", "partida_description": "Productos alimenticios para personas"}
    created = client.post(demands, headers=school, json=demand_body() | partida)
    assert created.status_code == 201, created.text
    assert {k: created.json()[k] for k in partida} == partida
    listed = client.get(demands, headers=school).json()
    assert [(d["partida_code"], d["partida_description"]) for d in listed] == [
        ("2211", partida["partida_description"])
    ]

    bad = client.post(demands, headers=school, json=demand_body(partida_code="99"))
    assert bad.status_code == 422 and list(bad.json()["fields"]) == ["partida_code"]
    assert "4 o 5 dígitos" in bad.json()["fields"]["partida_code"]
    alone = client.post(demands, headers=school, json=demand_body(partida_description="Alimentos"))
    assert alone.status_code == 422 and list(alone.json()["fields"]) == ["partida_code"]

    none = client.post(demands, headers=school, json=demand_body())
    assert none.status_code == 201 and none.json()["partida_code"] is None  # optional by default
    patched = client.patch(
        f"/api/v1/buyer-organizations/{institution['id']}", headers=school, json={"partida_required": True}
    )
    assert patched.status_code == 200 and patched.json()["partida_required"] is True
    required = client.post(demands, headers=school, json=demand_body())
    assert required.status_code == 422
    assert required.json()["fields"] == {
        "partida_code": "Tu institución pide la partida presupuestal de cada demanda, como 2211."
    }
    english = client.post(
        demands, headers=school | {"Accept-Language": "en"}, json=demand_body(partida_code="12")
    )
    assert (
        english.status_code == 422
        and "Clasificador por Objeto del Gasto" in english.json()["fields"]["partida_code"]
    )
    assert count(session, Demand) == 2
