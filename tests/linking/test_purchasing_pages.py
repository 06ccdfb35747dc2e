"""How an institution buys, on its pages: the owners' settings (partida required, the amount that needs a
second approval), the award waiting on the demand's page with "Aprobar" / "Rechazar" for another owner only,
and the partida shown on the demand, the institution's list, the purchase order and the order."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from market.accounts.models import User
from market.db import utcnow
from market.linking.models import (
    ApprovalStatus,
    AwardApproval,
    BuyerMembership,
    BuyerOrganization,
    Demand,
    Quote,
)
from market.orders.models import Order
from tests.helpers import count, csrf_of, database_state, fresh, signed_in
from tests.linking.test_pages import demand_form, is_refused_in_place, quoted
from tests.pages import (
    buttons,
    facts,
    field_error,
    flash,
    form_actions,
    one,
    soup,
    table_rows,
    text_of,
)


def rows_now(app: FastAPI) -> dict[str, Any]:
    """The database but who is signed in where (a page view moves a browser session's last sight)."""
    return {k: v for k, v in database_state(app.state.engine).items() if k != "browsersession"}


@pytest.fixture
def staff(session: Session, school: BuyerOrganization, make_user: Any) -> dict[str, User]:
    """The school's second owner (the director) and a member who is not an owner (the assistant)."""
    director = make_user("direccion@escuela.mx", name="Rosa Díaz")
    assistant = make_user("auxiliar@escuela.mx", name="Pedro Gómez")
    for someone, role in ((director, "owner"), (assistant, "member")):
        session.add(BuyerMembership(user_id=someone.id or 0, buyer_organization_id=school.id or 0, role=role))
    session.commit()
    return {"director": director, "assistant": assistant}


def test_the_owners_set_how_the_institution_buys(
    app: FastAPI, session: Session, school: BuyerOrganization, staff: dict[str, User]
) -> None:
    path = f"/instituciones/{school.id}"
    action = f"{path}/compras"
    assistant = signed_in(app, "auxiliar@escuela.mx")
    page = soup(assistant.get(path))
    assert action not in form_actions(page)  # a member reads the rules, does not change them
    assert facts(page, "#compras dl") == {
        "Partida presupuestal": "Opcional",
        "Segunda aprobación": "No se pide: cualquier integrante adjudica.",
    }
    before = rows_now(app)
    token = csrf_of(assistant, path)
    refused = assistant.post(action, data={"approval_threshold": "1", "csrf_token": token})
    assert refused.status_code == 303
    assert (
        flash(soup(assistant.get(path)), "error") == "Solo quien administra la institución puede hacer esto."
    )

    owner = signed_in(app, "compras@escuela.mx")
    token = csrf_of(owner, path)
    for typed in ("mucho", "0", "-5"):
        bad = owner.post(
            action, data={"approval_threshold": typed, "partida_required": "on", "csrf_token": token}
        )
        assert bad.status_code == 422
        assert is_refused_in_place(bad, "approval_threshold", "e-approval_threshold")
        assert one(bad, "#f-approval_threshold").get("value") == typed  # as typed
    assert rows_now(app) == before

    saved = owner.post(
        action, data={"approval_threshold": "50,000.00", "partida_required": "on", "csrf_token": token}
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"{path}#compras"
    page = soup(owner.get(path))
    assert flash(page, "success") == "Guardamos cómo compra Escuela Primaria Benito Juárez."
    assert facts(page, "#compras dl")["Partida presupuestal"] == "Obligatoria en cada demanda"
    assert "$50,000.00" in facts(page, "#compras dl")["Segunda aprobación"]
    assert one(page, "#f-approval_threshold").get("value") == "50000.00"
    stored = fresh(session, BuyerOrganization, school.id)
    assert (stored.partida_required, stored.approval_threshold_cents) == (True, 5_000_000)

    cleared = owner.post(action, data={"approval_threshold": "", "csrf_token": token})  # both cleared
    assert cleared.status_code == 303
    stored = fresh(session, BuyerOrganization, school.id)
    assert (stored.partida_required, stored.approval_threshold_cents) == (False, None)


def awardable(
    session: Session, school_buyer: User, school: BuyerOrganization, make_user: Any, make_org: Any
) -> tuple[Demand, Quote, Quote]:
    """`quoted`'s demand (200 kg; quotes of 120 kg at $301.50 and 150 kg at $287.25), its quoting closed and
    a budget line named; the school asks a second approval above $50,000."""
    demand, sierra, union = quoted(session, school_buyer, school, make_user, make_org)
    demand.quote_deadline = utcnow() - timedelta(minutes=1)
    demand.partida_code, demand.partida_description = "2211", "Productos alimenticios para personas"
    school.approval_threshold_cents = 5_000_000
    session.add_all([demand, school])
    session.commit()
    return demand, sierra, union


def test_an_award_above_the_amount_waits_on_the_demand_page_for_another_owner(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    staff: dict[str, User],
    make_user: Any,
    make_org: Any,
) -> None:
    demand, sierra, union = awardable(session, school_buyer, school, make_user, make_org)
    path = f"/demandas/{demand.id}"
    marta = signed_in(app, "compras@escuela.mx")
    token = csrf_of(marta, path)
    proposed = marta.post(
        f"{path}/adjudicar",
        data={f"cantidad_{sierra.id}": "50", f"cantidad_{union.id}": "150", "csrf_token": token},
    )
    assert proposed.status_code == 303 and proposed.headers["location"] == f"{path}#aprobacion"
    assert count(session, Order) == 0
    page = soup(marta.get(path))
    assert flash(page, "success").startswith(
        "La adjudicación supera el monto que pide una segunda aprobación"
    )
    waiting = one(page, "#aprobacion")
    assert text_of(one(waiting, "h2")) == "Adjudicación pendiente de aprobación"
    assert "Marta Ruiz propuso esta adjudicación" in text_of(waiting)
    assert table_rows(waiting) == [
        ["Cooperativa Café de la Sierra Mixe", "50 kg", "$301.50", "$15,075.00"],
        ["Unión de Cafetaleras de Pluma Hidalgo", "150 kg", "$287.25", "$43,087.50"],
        ["Total de la adjudicación", "$58,162.50"],
    ]
    # The proposer is told why they cannot approve it, and may withdraw it; the award form is gone.
    assert text_of(one(waiting, "#explicacion-aprobacion")).startswith(
        "Otra persona que administre la institución"
    )
    assert buttons(waiting) == ["Retirar propuesta"]
    assert f"{path}/adjudicar" not in form_actions(page)
    assert facts(page)["Partida presupuestal"] == "2211 · Productos alimenticios para personas"

    assistant = signed_in(app, "auxiliar@escuela.mx")
    seen = one(assistant.get(path), "#aprobacion")
    assert buttons(seen) == [] and "La aprueba una persona que administre" in text_of(seen)
    refused = assistant.post(f"{path}/adjudicacion/aprobar", data={"csrf_token": csrf_of(assistant, path)})
    assert refused.status_code == 303
    assert (
        flash(soup(assistant.get(path)), "error") == "Solo quien administra la institución puede hacer esto."
    )
    mine = marta.post(f"{path}/adjudicacion/aprobar", data={"csrf_token": token})
    assert mine.status_code == 303
    assert flash(soup(marta.get(path)), "error").startswith(
        "No puedes aprobar una adjudicación que tú propusiste"
    )
    assert count(session, Order) == 0

    # A producer sees nothing of it: its quote still stands.
    sierra_owner = signed_in(app, "sierra@cafe.mx")
    producer_page = soup(sierra_owner.get(path))
    assert producer_page.select("#aprobacion") == []
    assert text_of(one(producer_page, ".own-quote .badge")) == "Enviada"

    rosa = signed_in(app, "direccion@escuela.mx")
    seen = one(rosa.get(path), "#aprobacion")
    assert buttons(seen) == ["Aprobar", "Rechazar"]
    approved = rosa.post(f"{path}/adjudicacion/aprobar", data={"csrf_token": csrf_of(rosa, path)})
    assert approved.status_code == 303
    decided = fresh(session, Demand, demand.id)
    assert decided.status == "awarded"
    order_page = soup(rosa.get(approved.headers["location"]))
    assert (
        flash(order_page, "success")
        == f"Aprobaste la adjudicación. Orden de compra {decided.purchase_order}."
    )
    partida = "Partida presupuestal: 2211 · Productos alimenticios para personas"
    assert text_of(one(order_page, "#partida")) == partida
    order = session.exec(select(Order)).one()
    po = soup(rosa.get(f"/pedidos/{order.id}/orden-de-compra"))
    assert facts(po)["Partida presupuestal"] == "2211 · Productos alimenticios para personas"
    # The producers' view of the order and of its purchase order name the budget line too.
    assert text_of(one(sierra_owner.get(f"/pedidos/{order.id}"), "#partida")) == partida
    po = soup(sierra_owner.get(f"/pedidos/{order.id}/orden-de-compra"))
    assert facts(po)["Partida presupuestal"] == "2211 · Productos alimenticios para personas"
    rows = table_rows(soup(rosa.get(f"/instituciones/{school.id}")), "#demandas-h + p + table")
    assert rows[0][1] == "2211 Productos alimenticios para personas"

    # The institution's list as a spreadsheet, for its budget office (its members only).
    download = rosa.get(f"/instituciones/{school.id}/demandas.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    [header, row] = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    line = dict(zip(header, row, strict=True))
    assert {k: line[k] for k in ("partida", "partida_descripcion", "estatus", "orden_de_compra")} == {
        "partida": "2211",
        "partida_descripcion": "Productos alimenticios para personas",
        "estatus": "Adjudicada",
        "orden_de_compra": decided.purchase_order,
    }
    assert line["importe_adjudicado"] == "58162.50"
    assert sierra_owner.get(f"/instituciones/{school.id}/demandas.csv").status_code == 404


def test_a_rejection_needs_a_reason_and_the_demand_can_be_awarded_again(
    app: FastAPI,
    session: Session,
    school: BuyerOrganization,
    school_buyer: User,
    staff: dict[str, User],
    make_user: Any,
    make_org: Any,
) -> None:
    demand, sierra, union = awardable(session, school_buyer, school, make_user, make_org)
    path = f"/demandas/{demand.id}"
    marta = signed_in(app, "compras@escuela.mx")
    form = {f"cantidad_{sierra.id}": "50", f"cantidad_{union.id}": "150", "csrf_token": csrf_of(marta, path)}
    assert marta.post(f"{path}/adjudicar", data=form).status_code == 303

    rosa = signed_in(app, "direccion@escuela.mx")
    token = csrf_of(rosa, path)
    empty = rosa.post(f"{path}/adjudicacion/rechazar", data={"reason": "  ", "csrf_token": token})
    assert empty.status_code == 422
    assert field_error(empty, "reason") == "Explica por qué se rechaza, para quien la propuso."
    assert session.exec(select(AwardApproval)).one().status == ApprovalStatus.PENDING

    rejected = rosa.post(
        f"{path}/adjudicacion/rechazar",
        data={"reason": "Falta suficiencia presupuestal", "csrf_token": token},
    )
    assert rejected.status_code == 303
    page = soup(marta.get(path))
    assert (
        text_of(one(page, "#rechazo"))
        == "Rosa Díaz rechazó la última adjudicación propuesta: Falta suficiencia presupuestal"
    )
    assert page.select("#aprobacion") == []
    assert f"{path}/adjudicar" in form_actions(page)  # awardable again
    session.expire_all()
    assert session.get(Demand, demand.id).status == "open"  # type: ignore[union-attr]


def test_the_demand_form_takes_a_partida_and_an_institution_may_require_it(
    app: FastAPI, session: Session, school: BuyerOrganization
) -> None:
    path = f"/instituciones/{school.id}/demandas/nueva"
    marta = signed_in(app, "compras@escuela.mx")
    token = csrf_of(marta, path)
    page = soup(marta.get(path))
    assert one(page, "#f-partida_code").get("required") is None
    for typed, error in (
        ("221", "La partida es la clave de 4 o 5 dígitos del Clasificador por Objeto del Gasto, como 2211."),
        ("0211", "La partida es la clave de 4 o 5 dígitos del Clasificador por Objeto del Gasto, como 2211."),
        ("22A1", "La partida es la clave de 4 o 5 dígitos del Clasificador por Objeto del Gasto, como 2211."),
    ):
        bad = marta.post(path, data=demand_form(partida_code=typed) | {"csrf_token": token})
        assert bad.status_code == 422
        assert is_refused_in_place(bad, "partida_code") and field_error(bad, "partida_code") == error
        assert one(bad, "#f-partida_code").get("value") == typed
    alone = marta.post(path, data=demand_form(partida_description="Alimentos") | {"csrf_token": token})
    assert field_error(alone, "partida_code") == "Escribe también la clave de la partida, como 2211."
    assert count(session, Demand) == 0

    saved = marta.post(
        path,
        data=demand_form(partida_code=" 22101 ", partida_description="Productos alimenticios")
        | {"csrf_token": token},
    )
    assert saved.status_code == 303
    demand = session.exec(select(Demand)).one()
    assert (demand.partida_code, demand.partida_description) == ("22101", "Productos alimenticios")
    assert (
        facts(soup(marta.get(saved.headers["location"])))["Partida presupuestal"]
        == "22101 · Productos alimenticios"
    )

    school.partida_required = True
    session.add(school)
    session.commit()
    assert one(marta.get(path), "#f-partida_code").get("required") is not None
    missing = marta.post(path, data=demand_form() | {"csrf_token": token})
    assert missing.status_code == 422
    assert (
        field_error(missing, "partida_code")
        == "Tu institución pide la partida presupuestal de cada demanda, como 2211."
    )
    assert count(session, Demand) == 1
