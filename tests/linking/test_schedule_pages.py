"""The "Entregas programadas" table on an awarded demand's page: the institution skips a delivery, pauses and
resumes, changes the quantity and ends the schedule with plain forms (no JavaScript); an awarded producer
sees its own part and no form; refusals are shown and keep nothing."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from market.linking.models import Award, CallOff, CallOffStatus
from tests.helpers import csrf_of, database_state, signed_in
from tests.linking.conftest import DUES
from tests.pages import (
    buttons,
    field_error,
    flash,
    form_actions,
    one,
    soup,
    table_rows,
    text_of,
    value_of,
)


def _page(client: TestClient, demand_id: int) -> Any:
    response = client.get(f"/demandas/{demand_id}")
    assert response.status_code == 200
    return soup(response)


def _post(client: TestClient, demand_id: int, path: str, data: dict[str, str] | None = None) -> Any:
    token = csrf_of(client, f"/demandas/{demand_id}")
    return client.post(f"/demandas/{demand_id}/entregas/{path}", data={"csrf_token": token, **(data or {})})


def test_the_institution_sees_the_deliveries_and_skips_one_after_confirming(
    app: FastAPI, scheduled: dict[str, Any]
) -> None:
    demand_id = scheduled["demand_id"]
    school = signed_in(app, "compras@escuela.mx")
    page = _page(school, demand_id)
    rows = table_rows(page, "#entregas table")
    parts = "500 kg Meliponicultoras de Maní: 300 kg · Apicultoras del Puuc: 200 kg"
    assert [row[:4] for row in rows] == [
        ["1", str(DUES[0]), parts, "Pedido hecho"],
        *[[str(n + 1), str(DUES[n]), parts, "Programada"] for n in (1, 2, 3)],
    ]
    # Skipping asks first: the button that skips is inside a confirmation step.
    confirm = one(page, "#entrega-3 details.confirm-step")
    assert text_of(one(confirm, "summary")) == "Omitir esta entrega"
    assert f"/demandas/{demand_id}/entregas/3/omitir" in form_actions(confirm)
    assert {"Pausar", "Sí, terminar las entregas", "Cambiar la cantidad de las próximas entregas"} <= set(
        buttons(page)
    )

    done = _post(school, demand_id, "3/omitir")
    assert done.status_code == 303 and done.headers["location"].endswith(f"/demandas/{demand_id}#entregas")
    page = _page(school, demand_id)
    assert flash(page) == "Omitimos la entrega 3. Avisamos a las organizaciones."
    assert "Omitida" in text_of(one(page, "#entrega-3"))
    assert not page.select("#entrega-3 form")

    again = _post(school, demand_id, "3/omitir")
    assert again.status_code == 303
    assert flash(_page(school, demand_id), "error") == "No se puede pasar de «Omitida» a «Omitida»."


def test_pause_resume_and_end_from_the_page(
    app: FastAPI, session: Session, scheduled: dict[str, Any]
) -> None:
    demand_id = scheduled["demand_id"]
    school = signed_in(app, "compras@escuela.mx")
    assert _post(school, demand_id, "pausar").status_code == 303
    page = _page(school, demand_id)
    assert "Entregas en pausa" in text_of(one(page, "#demand-status"))
    assert "Reanudar" in buttons(page) and "Pausar" not in buttons(page)
    assert [text_of(b) for b in page.select("#entrega-2 .badge")] == ["Programada", "En pausa"]

    assert _post(school, demand_id, "reanudar").status_code == 303
    page = _page(school, demand_id)
    assert flash(page) == "Reanudamos las entregas."
    assert "Pausar" in buttons(page)

    assert _post(school, demand_id, "terminar").status_code == 303
    page = _page(school, demand_id)
    assert "Terminada" in text_of(one(page, "#demand-status"))
    assert not page.select("#entregas form")
    statuses = session.exec(select(CallOff.status).order_by(col(CallOff.sequence))).all()
    assert statuses == [CallOffStatus.PLACED] + [CallOffStatus.CANCELLED] * 3
    institution_page = school.get(f"/instituciones/{scheduled['institution']['id']}")
    assert "Terminada" in text_of(institution_page.text)


def test_a_quantity_above_the_quote_is_shown_beside_its_field_and_keeps_nothing(
    app: FastAPI, session: Session, scheduled: dict[str, Any]
) -> None:
    demand_id, puuc = scheduled["demand_id"], scheduled["quotes"]["puuc"]["id"]
    mani = scheduled["quotes"]["mani"]["id"]
    school = signed_in(app, "compras@escuela.mx")
    before = database_state(app.state.engine)
    refused = _post(school, demand_id, "cantidad", {f"entrega_{mani}": "300", f"entrega_{puuc}": "250"})
    assert refused.status_code == 422
    assert field_error(refused, f"entrega_{puuc}") == "Es más de lo que esa organización cotizó: 200 kg."
    assert value_of(refused, f"entrega_{puuc}") == "250"
    assert database_state(app.state.engine) == before
    empty = _post(school, demand_id, "cantidad", {f"entrega_{mani}": "0", f"entrega_{puuc}": "200"})
    assert field_error(empty, f"entrega_{mani}") == "Escribe un número entero mayor que cero."

    changed = _post(school, demand_id, "cantidad", {f"entrega_{mani}": "250", f"entrega_{puuc}": "150"})
    assert changed.status_code == 303
    assert sorted(a.quantity for a in session.exec(select(Award)).all()) == [150, 250]
    page = _page(school, demand_id)
    assert "400 kg" in text_of(one(page, "#entrega-2"))
    assert "500 kg" in text_of(one(page, "#entrega-1"))  # already ordered: unchanged
    assert text_of(one(page, "#cantidad-ahora")) == "Cantidad por entrega ahora: 400 kg"


def test_a_new_quantity_leaves_what_was_asked_and_each_quote_s_coverage_on_the_page(
    app: FastAPI, client: TestClient, scheduled: dict[str, Any]
) -> None:
    demand_id = scheduled["demand_id"]
    changed = client.patch(scheduled["url"], headers=scheduled["school"], json={"quantity": 250})
    assert changed.status_code == 200, changed.text
    page = _page(signed_in(app, "compras@escuela.mx"), demand_id)
    assert "Cantidad por entrega 500 kg" in text_of(one(page, "dl"))
    coverage = sorted(row[2] for row in table_rows(page, "table.compare"))
    assert coverage == ["200 kg (40 %)", "400 kg (80 %)"]
    assert text_of(one(page, "#cantidad-ahora")) == "Cantidad por entrega ahora: 250 kg"
    assert "250 kg" in text_of(one(page, "#entrega-2"))
    producer = _page(signed_in(app, "puuc@example.mx"), demand_id)
    assert text_of(one(producer, "#cantidad-ahora")) == "Tu parte por entrega ahora: 100 kg"


def test_changing_an_ended_schedule_from_the_page_says_it_has_ended(
    app: FastAPI, scheduled: dict[str, Any]
) -> None:
    demand_id, mani = scheduled["demand_id"], scheduled["quotes"]["mani"]["id"]
    school = signed_in(app, "compras@escuela.mx")
    token = csrf_of(school, f"/demandas/{demand_id}")
    assert _post(school, demand_id, "terminar").status_code == 303
    before = database_state(app.state.engine)
    stale = school.post(
        f"/demandas/{demand_id}/entregas/cantidad", data={"csrf_token": token, f"entrega_{mani}": "100"}
    )
    assert stale.status_code == 303
    page = _page(school, demand_id)
    assert flash(page, "error") == "Estas entregas ya terminaron: ya no se pueden cambiar."
    assert database_state(app.state.engine) == before


def test_an_awarded_producer_sees_its_own_part_and_no_form_and_cannot_post_one(
    app: FastAPI, session: Session, scheduled: dict[str, Any]
) -> None:
    demand_id = scheduled["demand_id"]
    producer = signed_in(app, "puuc@example.mx")
    page = _page(producer, demand_id)
    rows = table_rows(page, "#entregas table")
    assert [row[2] for row in rows] == ["200 kg"] * 4
    assert "Meliponicultoras" not in text_of(one(page, "#entregas"))
    assert not page.select("#entregas form")
    assert text_of(one(page, "#entregas thead")).split()[:5] == ["Entrega", "Fecha", "Tu", "parte", "Estatus"]

    before = database_state(app.state.engine)
    refused = _post(producer, demand_id, "pausar")
    assert refused.status_code == 303
    assert flash(_page(producer, demand_id), "error") == (
        "Solo las personas integrantes de la institución pueden hacer esto."
    )
    assert database_state(app.state.engine) == before


def test_the_producer_s_list_of_demands_shows_what_it_supplies_and_the_pause(
    app: FastAPI, client: TestClient, scheduled: dict[str, Any]
) -> None:
    producer = signed_in(app, "puuc@example.mx")
    supplies = one(soup(producer.get("/demandas")), "#surtes li")
    assert text_of(supplies).split(" Tu parte")[0] == "Miel para el desayuno escolar Apicultoras del Puuc"
    assert f"Tu parte: 200 kg por entrega Próxima entrega: {DUES[1]} (quedan 3)" in text_of(supplies)
    client.post(f"{scheduled['url']}/pause", headers=scheduled["school"])
    supplies = one(soup(producer.get("/demandas")), "#surtes li")
    assert "Entregas en pausa" in text_of(supplies)
    assert not soup(signed_in(app, "compras@escuela.mx").get("/demandas")).select("#surtes")
