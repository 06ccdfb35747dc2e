"""A recurring supply that bends, through the JSON API and the worker: the institution pauses and resumes,
skips one delivery, changes the quantity of the deliveries not ordered yet, or ends the schedule; each
refusal writes nothing; the worker places only what is scheduled, at the new quantities; the awarded
producers are told, and each sees its own part. On PostgreSQL, a change racing the worker's placement."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction
from market.linking import awards, schedules
from market.linking.models import Award, CallOff, CallOffStatus, Demand, ScheduleStatus
from market.orders.models import Fulfillment, Order, OrderLine
from tests.helpers import api_token, database_state, emails, fresh, join_institution
from tests.linking.conftest import DUES, MANI_AWARDED, MANI_OFFERED, demand_body, verified_institution


def _statuses(client: TestClient, world: dict[str, Any]) -> list[str]:
    schedule = client.get(world["url"], headers=world["school"]).json()
    return [d["status"] for d in schedule["deliveries"]]


def _ordered(session: Session, order: Order) -> dict[int, int]:
    """{organization: quantity} of an order."""
    rows = session.exec(
        select(Fulfillment.organization_id, OrderLine.quantity)
        .join(OrderLine, col(OrderLine.fulfillment_id) == Fulfillment.id)
        .where(Fulfillment.order_id == order.id)
    ).all()
    return dict(rows)


def _schedule_mail(session: Session) -> list[tuple[str, str]]:
    return [(e["to"], e["subject"]) for e in emails(session) if e["kind"] == "schedule_changed"]


def _place(engine: Engine, settings: Settings, today: date) -> list[str]:
    """The worker's job on `today`: the purchase orders of what it placed."""
    with transaction(engine) as tx:
        return [order.purchase_order or "" for order in awards.place_due_call_offs(tx, settings, today=today)]


# --- reading ----------------------------------------------------------------------------------------------


def test_the_institution_sees_every_part_each_awarded_producer_its_own_and_nobody_else_anything(
    client: TestClient, scheduled: dict[str, Any], make_user: Any
) -> None:
    whole = client.get(scheduled["url"], headers=scheduled["school"])
    assert whole.status_code == 200
    body = whole.json()
    assert (body["status"], body["quantity"], body["unit"]) == ("active", 500, "kg")
    assert [(d["sequence"], d["due"], d["status"], d["quantity"]) for d in body["deliveries"]] == [
        (1, str(DUES[0]), "placed", 500),
        *[(n + 1, str(DUES[n]), "scheduled", 500) for n in (1, 2, 3)],
    ]
    assert body["deliveries"][0]["order_id"] == scheduled["first_order"]
    assert sorted(line["quantity"] for line in body["deliveries"][1]["lines"]) == [200, 300]

    mani, token = scheduled["producers"]["mani"]
    own = client.get(scheduled["url"], headers=token).json()
    assert own["quantity"] == MANI_AWARDED
    assert {
        (line["organization_id"], line["quantity"]) for d in own["deliveries"] for line in d["lines"]
    } == {(mani.id, MANI_AWARDED)}

    make_user("otra@escuela.mx")
    stranger = api_token(client, "otra@escuela.mx")
    assert client.get(scheduled["url"], headers=stranger).status_code == 404
    assert client.get(scheduled["url"]).status_code == 401


def test_a_demand_not_awarded_has_no_schedule(client: TestClient, parties: dict[str, Any]) -> None:
    institution = verified_institution(client, parties)
    demand_id = client.post(
        f"/api/v1/buyer-organizations/{institution['id']}/demands",
        headers=parties["school"],
        json=demand_body(every_days=7, deliveries=4),
    ).json()["id"]
    for method, path in (("get", "schedule"), ("post", "schedule/pause"), ("post", "call-offs/2/skip")):
        response = client.request(method, f"/api/v1/demands/{demand_id}/{path}", headers=parties["school"])
        assert (response.status_code, response.json()["error"]) == (409, "no_schedule")


# --- skipping one delivery --------------------------------------------------------------------------------


def test_skipping_a_delivery_tells_the_producers_and_the_worker_passes_it_over(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, scheduled: dict[str, Any]
) -> None:
    skipped = client.post(
        f"/api/v1/demands/{scheduled['demand_id']}/call-offs/3/skip", headers=scheduled["school"]
    )
    assert skipped.status_code == 200, skipped.text
    assert [d["status"] for d in skipped.json()["deliveries"]] == [
        "placed",
        "scheduled",
        "skipped",
        "scheduled",
    ]
    told = _schedule_mail(session)
    assert sorted(to for to, _subject in told) == ["mani@example.mx", "puuc@example.mx"]
    assert told[0][1] == "Demanda «Miel para el desayuno escolar»: se omite la entrega 3"

    # The worker, on the day delivery 3 would be ordered: delivery 2 (due by then) is placed, 3 is not.
    demand = fresh(session, Demand, scheduled["demand_id"])
    assert _place(app.state.engine, settings, DUES[2] - timedelta(days=7)) == [f"{demand.purchase_order}-2"]
    assert _place(app.state.engine, settings, DUES[2] - timedelta(days=1)) == []
    assert _statuses(client, scheduled) == ["placed", "placed", "skipped", "scheduled"]


@pytest.mark.parametrize(
    ("sequence", "status", "error"),
    [
        (1, 409, "call_off_placed"),  # its order is placed: the order's own rules apply
        (9, 404, "not_found"),
    ],
)
def test_a_delivery_already_ordered_or_unknown_is_not_skipped(
    app: FastAPI, client: TestClient, scheduled: dict[str, Any], sequence: int, status: int, error: str
) -> None:
    before = database_state(app.state.engine)
    response = client.post(
        f"/api/v1/demands/{scheduled['demand_id']}/call-offs/{sequence}/skip", headers=scheduled["school"]
    )
    assert (response.status_code, response.json()["error"]) == (status, error)
    assert database_state(app.state.engine) == before


def test_a_delivery_is_skipped_once_and_only_by_the_institution(
    app: FastAPI, client: TestClient, scheduled: dict[str, Any]
) -> None:
    skip = f"/api/v1/demands/{scheduled['demand_id']}/call-offs/2/skip"
    assert client.post(skip, headers=scheduled["school"]).status_code == 200
    before = database_state(app.state.engine)
    again = client.post(skip, headers=scheduled["school"])
    assert (again.status_code, again.json()["error"]) == (409, "invalid_transition")
    assert again.json()["detail"] == "No se puede pasar de «Omitida» a «Omitida»."
    _mani, producer = scheduled["producers"]["mani"]
    other = f"/api/v1/demands/{scheduled['demand_id']}/call-offs/3/skip"
    assert client.post(other, headers=producer).status_code == 403
    assert client.post(other).status_code == 401
    assert database_state(app.state.engine) == before


# --- pausing and resuming ---------------------------------------------------------------------------------


def test_while_paused_nothing_is_ordered_and_resuming_skips_what_fell_due_meanwhile(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, scheduled: dict[str, Any]
) -> None:
    demand_id, school = scheduled["demand_id"], scheduled["school"]
    paused = client.post(f"{scheduled['url']}/pause", headers=school)
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    twice = client.post(f"{scheduled['url']}/pause", headers=school)
    assert (twice.status_code, twice.json()["error"]) == (409, "invalid_transition")
    assert sorted(to for to, _s in _schedule_mail(session)) == ["mani@example.mx", "puuc@example.mx"]

    assert _place(app.state.engine, settings, DUES[3]) == []  # all three due, none ordered

    # Resumed on the day of delivery 2: it fell due during the pause and is skipped; 3 and 4 keep their dates.
    with transaction(app.state.engine) as tx:
        school_user = tx.exec(select(User).where(User.email == "compras@escuela.mx")).one()
        missed = schedules.resume(tx, school_user, tx.get_one(Demand, demand_id), today=DUES[1])
    assert [c.sequence for c in missed] == [2]
    assert _statuses(client, scheduled) == ["placed", "skipped", "scheduled", "scheduled"]
    purchase_order = fresh(session, Demand, demand_id).purchase_order
    assert _place(app.state.engine, settings, DUES[2] - timedelta(days=7)) == [f"{purchase_order}-3"]
    resumed = [s for _to, s in _schedule_mail(session) if "reanudan" in s]
    assert len(resumed) == 2
    body = next(e["body"] for e in emails(session) if "reanudan" in e["subject"])
    assert "Se omitieron las entregas que cayeron durante la pausa" in body


def test_resuming_a_schedule_that_is_not_paused_is_refused(
    app: FastAPI, client: TestClient, scheduled: dict[str, Any]
) -> None:
    before = database_state(app.state.engine)
    response = client.post(f"{scheduled['url']}/resume", headers=scheduled["school"])
    assert (response.status_code, response.json()["error"]) == (409, "invalid_transition")
    assert database_state(app.state.engine) == before
    assert client.post(f"{scheduled['url']}/pause", headers=scheduled["school"]).status_code == 200
    resumed = client.post(f"{scheduled['url']}/resume", headers=scheduled["school"])
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    assert _statuses(client, scheduled) == ["placed", "scheduled", "scheduled", "scheduled"]  # none due yet


def test_a_second_member_of_the_institution_may_pause_a_producer_may_not(
    app: FastAPI, client: TestClient, session: Session, scheduled: dict[str, Any], make_user: Any
) -> None:
    _mani, producer = scheduled["producers"]["mani"]
    refused = client.post(f"{scheduled['url']}/pause", headers=producer)
    assert refused.status_code == 403
    make_user("direccion@escuela.mx")
    buyer_id = scheduled["institution"]["id"]
    colleague = join_institution(client, session, buyer_id, scheduled["school"], "direccion@escuela.mx")
    assert client.post(f"{scheduled['url']}/pause", headers=colleague).json()["status"] == "paused"


# --- changing the quantity --------------------------------------------------------------------------------


def test_a_new_total_is_split_in_proportion_and_the_next_orders_carry_it(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, scheduled: dict[str, Any]
) -> None:
    changed = client.patch(scheduled["url"], headers=scheduled["school"], json={"quantity": 250})
    assert changed.status_code == 200, changed.text
    assert changed.json()["quantity"] == 250
    assert [d["quantity"] for d in changed.json()["deliveries"]] == [
        500,
        250,
        250,
        250,
    ]  # the placed one stays
    mani, puuc = (scheduled["producers"][k][0] for k in ("mani", "puuc"))
    assert fresh(session, Demand, scheduled["demand_id"]).quantity == 500  # what was asked stays

    [placed] = _place(app.state.engine, settings, DUES[1] - timedelta(days=7))
    second = session.exec(select(Order).where(Order.purchase_order == placed)).one()
    assert _ordered(session, second) == {mani.id: 150, puuc.id: 100}
    assert _ordered(session, fresh(session, Order, scheduled["first_order"])) == {mani.id: 300, puuc.id: 200}
    told = [e for e in emails(session) if e["kind"] == "schedule_changed"]
    assert {e["to"]: "150 kg" in e["body"] or "100 kg" in e["body"] for e in told} == {
        "mani@example.mx": True,
        "puuc@example.mx": True,
    }


def test_a_new_quantity_keeps_what_the_demand_asked_and_the_schedule_carries_it(
    client: TestClient, scheduled: dict[str, Any]
) -> None:
    changed = client.patch(scheduled["url"], headers=scheduled["school"], json={"quantity": 250})
    assert changed.status_code == 200, changed.text
    demand = client.get(f"/api/v1/demands/{scheduled['demand_id']}", headers=scheduled["school"]).json()
    assert demand["quantity"] == 500
    schedule = client.get(scheduled["url"], headers=scheduled["school"]).json()
    assert schedule["quantity"] == 250
    _mani, producer = scheduled["producers"]["puuc"]
    assert client.get(scheduled["url"], headers=producer).json()["quantity"] == 100


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {},
            "quantity",
            "Indica la nueva cantidad: una cantidad total por entrega o una cantidad por organización.",
        ),
        (
            {"quantity": 300, "allocations": [{"quote_id": "mani", "quantity": 100}]},
            "quantity",
            "Indica una cantidad total por entrega o una cantidad por organización, no ambas.",
        ),
        (
            {"allocations": [{"quote_id": "mani", "quantity": 100}, {"quote_id": "mani", "quantity": 90}]},
            "allocations.1.quote_id",
            "Esa cotización aparece dos veces: indícala una sola vez.",
        ),
        (
            {"allocations": [{"quote_id": "mani", "quantity": 999}, {"quote_id": "mani", "quantity": 90}]},
            "allocations.1.quote_id",
            "Esa cotización aparece dos veces: indícala una sola vez.",
        ),
    ],
)
def test_a_refused_change_says_what_is_wrong(
    app: FastAPI,
    client: TestClient,
    scheduled: dict[str, Any],
    body: dict[str, Any],
    field: str,
    message: str,
) -> None:
    for allocation in body.get("allocations", []):
        allocation["quote_id"] = scheduled["quotes"][allocation["quote_id"]]["id"]
    before = database_state(app.state.engine)
    response = client.patch(scheduled["url"], headers=scheduled["school"], json=body)
    assert response.status_code == 422, response.text
    assert response.json()["fields"][field] == message
    assert database_state(app.state.engine) == before


def test_an_increase_stops_at_what_each_producer_quoted(
    client: TestClient, session: Session, scheduled: dict[str, Any]
) -> None:
    # 600 in proportion would be 360 + 240; Puuc quoted 200, so Maní (quoted 400) takes the rest.
    changed = client.patch(scheduled["url"], headers=scheduled["school"], json={"quantity": 600})
    assert changed.status_code == 200, changed.text
    quantities = sorted(a.quantity for a in session.exec(select(Award)).all())
    assert quantities == [200, 400]
    # Only Maní's quantity changed: only Maní is told.
    assert [to for to, _s in _schedule_mail(session)] == ["mani@example.mx"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -5}, "quantity"),
        ({"quantity": 601}, "quantity"),  # more than the quotes offer together
        ({"quantity": 1}, "quantity"),  # less than one unit per producer
        ({"quantity": 500}, "quantity"),  # no change
        ({}, "quantity"),
        ({"quantity": 300, "allocations": [{"quote_id": 1, "quantity": 100}]}, "quantity"),
        (
            {"allocations": [{"quote_id": "puuc", "quantity": 201}]},
            "allocations.0.quantity",
        ),  # above its quote
        ({"allocations": [{"quote_id": "puuc", "quantity": 0}]}, "allocations.0.quantity"),
        ({"allocations": [{"quote_id": 999, "quantity": 10}]}, "allocations.0.quote_id"),
    ],
)
def test_a_bad_quantity_is_refused_and_changes_nothing(
    app: FastAPI, client: TestClient, scheduled: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    for allocation in body.get("allocations", []):
        if allocation["quote_id"] == "puuc":
            allocation["quote_id"] = scheduled["quotes"]["puuc"]["id"]
    before = database_state(app.state.engine)
    response = client.patch(scheduled["url"], headers=scheduled["school"], json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["fields"]
    assert database_state(app.state.engine) == before


def test_a_producer_s_own_line_may_go_up_to_its_quote(
    client: TestClient, session: Session, scheduled: dict[str, Any]
) -> None:
    mani_quote = scheduled["quotes"]["mani"]["id"]
    body = {"allocations": [{"quote_id": mani_quote, "quantity": MANI_OFFERED}]}
    changed = client.patch(scheduled["url"], headers=scheduled["school"], json=body)
    assert changed.status_code == 200 and changed.json()["quantity"] == 600
    _mani, producer = scheduled["producers"]["mani"]
    assert client.patch(scheduled["url"], headers=producer, json={"quantity": 300}).status_code == 403


# --- ending -----------------------------------------------------------------------------------------------


def test_ending_cancels_what_is_not_ordered_keeps_the_placed_order_and_refuses_every_later_change(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, scheduled: dict[str, Any]
) -> None:
    first = fresh(session, Order, scheduled["first_order"])
    status_before = first.status
    ended = client.post(f"{scheduled['url']}/end", headers=scheduled["school"])
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert _statuses(client, scheduled) == ["placed", "cancelled", "cancelled", "cancelled"]
    assert fresh(session, Order, scheduled["first_order"]).status == status_before
    assert fresh(session, Demand, scheduled["demand_id"]).schedule_status == ScheduleStatus.ENDED
    assert sorted(to for to, _s in _schedule_mail(session)) == ["mani@example.mx", "puuc@example.mx"]
    assert _place(app.state.engine, settings, DUES[3]) == []

    before = database_state(app.state.engine)
    for method, path, body in (
        ("post", "/end", None),
        ("post", "/pause", None),
        ("post", "/resume", None),
    ):
        response = client.request(method, scheduled["url"] + path, headers=scheduled["school"], json=body)
        assert (response.status_code, response.json()["error"]) == (409, "invalid_transition"), path
    changed = client.patch(scheduled["url"], headers=scheduled["school"], json={"quantity": 300})
    assert (changed.status_code, changed.json()["error"]) == (409, "schedule_ended")
    assert changed.json()["detail"] == "Estas entregas ya terminaron: ya no se pueden cambiar."
    skip = client.post(
        f"/api/v1/demands/{scheduled['demand_id']}/call-offs/2/skip", headers=scheduled["school"]
    )
    assert skip.status_code == 409
    assert database_state(app.state.engine) == before


def test_the_producers_are_told_in_their_own_language(
    client: TestClient, session: Session, scheduled: dict[str, Any]
) -> None:
    mani_owner = session.exec(select(User).where(User.email == "mani@example.mx")).one()
    mani_owner.locale = "en"
    session.add(mani_owner)
    session.commit()
    client.post(f"{scheduled['url']}/pause", headers=scheduled["school"])
    told = dict(_schedule_mail(session))
    assert told["mani@example.mx"] == "Demand “Miel para el desayuno escolar”: deliveries are paused"
    assert told["puuc@example.mx"] == "Demanda «Miel para el desayuno escolar»: las entregas están en pausa"


def test_once_every_delivery_is_ordered_there_is_nothing_left_to_pause_skip_or_change(
    app: FastAPI, client: TestClient, settings: Settings, scheduled: dict[str, Any]
) -> None:
    assert len(_place(app.state.engine, settings, DUES[3] - timedelta(days=7))) == 3
    before = database_state(app.state.engine)
    for method, path, body, error in (
        ("post", "/pause", None, "no_deliveries_left"),
        ("patch", "", {"quantity": 250}, "no_deliveries_left"),
    ):
        response = client.request(method, scheduled["url"] + path, headers=scheduled["school"], json=body)
        assert (response.status_code, response.json()["error"]) == (409, error)
    skip = client.post(
        f"/api/v1/demands/{scheduled['demand_id']}/call-offs/4/skip", headers=scheduled["school"]
    )
    assert (
        skip.json()["detail"]
        == "El pedido de la entrega 4 ya se hizo: si hace falta, cancélalo desde el pedido."
    )
    assert database_state(app.state.engine) == before


# --- racing the worker (PostgreSQL) -----------------------------------------------------------------------


def _in_thread(action: Any) -> tuple[threading.Thread, list[str]]:
    outcome: list[str] = []

    def run() -> None:
        try:
            outcome.append(action())
        except Exception as exc:  # what the change was answered
            outcome.append(getattr(exc, "code", repr(exc)))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _as_school(engine: Engine, demand_id: int, change: Any) -> str:
    with transaction(engine) as tx:
        school = tx.exec(select(User).where(User.email == "compras@escuela.mx")).one()
        change(tx, school, tx.get_one(Demand, demand_id))
    return "done"


def test_a_skip_racing_the_worker_waits_for_the_placement_and_is_refused_for_that_delivery(
    engine: Engine, settings: Settings, session: Session, scheduled: dict[str, Any]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    demand_id = scheduled["demand_id"]
    with Session(engine, expire_on_commit=False) as worker:  # placing delivery 2, not committed yet
        [order] = awards.place_due_call_offs(worker, settings, today=DUES[1] - timedelta(days=7))
        thread, outcome = _in_thread(
            lambda: _as_school(engine, demand_id, lambda tx, who, d: schedules.skip(tx, who, d, 2))
        )
        thread.join(1.5)
        assert thread.is_alive() and outcome == []  # the change waits for the worker's lock
        worker.commit()
    thread.join(10)
    assert outcome == ["call_off_placed"]
    call_off = session.exec(
        select(CallOff).where(CallOff.demand_id == demand_id, CallOff.sequence == 2)
    ).one()
    assert (call_off.status, call_off.order_id) == (CallOffStatus.PLACED, order.id)


def test_the_worker_passes_over_deliveries_a_change_holds_and_then_follows_the_change(
    engine: Engine, settings: Settings, session: Session, scheduled: dict[str, Any]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    demand_id = scheduled["demand_id"]
    with Session(engine, expire_on_commit=False) as change:  # a pause, not committed yet
        school = change.exec(select(User).where(User.email == "compras@escuela.mx")).one()
        schedules.pause(change, school, change.get_one(Demand, demand_id))
        assert _place(engine, settings, DUES[1] - timedelta(days=7)) == []  # skipped the locked rows
        change.commit()
    assert _place(engine, settings, DUES[1] - timedelta(days=7)) == []  # and now sees the pause
    statuses = session.exec(
        select(CallOff.status).where(CallOff.demand_id == demand_id).order_by(col(CallOff.sequence))
    ).all()
    assert statuses == ["placed", "scheduled", "scheduled", "scheduled"]
