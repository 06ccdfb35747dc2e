"""What a sale counts as is fixed by what happened, not by what is true now: paid means the money arrived
(an institution's unpaid invoice is shown apart), an order is institutional when it was bought for an
institution (joining or leaving one later moves nothing), and a sale keeps its producer as it was when it
sold (a later edit of the organization rewrites no history). See conftest.py for the year of orders."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.config import Settings
from market.db import transaction
from market.impact import service
from market.linking.models import BuyerMembership
from market.orders.fulfillment import confirm_offline_payment
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.organizations.schemas import OrganizationUpdate
from tests.helpers import signed_in
from tests.impact.conftest import checkout
from tests.impact.test_pages import bars, figure, rows_of
from tests.pages import maybe, one, soup, text_of


def test_an_unpaid_invoice_is_shown_apart_until_its_money_arrives(
    app: FastAPI,
    client: TestClient,
    engine: Engine,
    session: Session,
    settings: Settings,
    make_listing: Any,
    year_of_orders: dict[str, Any],
) -> None:
    honey = make_listing(year_of_orders["orgs"]["b"], title="Miel de temporada", price_cents=12000)
    # The school buys 2 kg more of honey on invoice terms ($240.00) and has not paid yet.
    invoiced = checkout(engine, settings, year_of_orders["teacher"], [(honey, 2)], payment_method="invoice")
    assert invoiced.status == "invoiced"

    impact = service.impact(session, settings)
    assert (impact.paid_cents, impact.unpaid_cents, impact.unpaid_sales) == (179000, 24000, 1)
    # Nothing of it reached anyone yet: the other figures are those of the money received.
    assert (impact.producer_share_cents, impact.institutional_cents, impact.sale_count) == (165189, 75000, 6)
    body = client.get("/api/v1/impacto").json()
    assert (body["paid_cents"], body["unpaid_cents"]) == (179000, 24000)
    html = soup(client.get("/impacto"))
    assert (figure(html, "paid"), figure(html, "unpaid")) == ("$1,790.00", "$240.00")
    assert text_of(one(html, "[data-unpaid-note]")).startswith(
        "1 venta facturada a una institución espera su pago"
    )
    english = TestClient(app)
    english.get("/idioma/en")
    assert text_of(one(english.get("/impacto"), "[data-figure='unpaid'] dt")) == (
        "Invoiced to institutions, awaiting payment"
    )
    totals = {r["clave"]: r["monto"] for r in rows_of(client.get("/impacto.csv")) if r["tabla"] == "total"}
    assert (totals["pagado"], totals["por_cobrar"]) == ("1790.00", "240.00")
    teacher = signed_in(app, "compras@escuela.mx")
    report = teacher.get(f"/instituciones/{year_of_orders['school'].slug}/impacto")
    assert (figure(report, "paid"), figure(report, "unpaid")) == ("$600.00", "$240.00")

    with transaction(engine) as tx:  # the school's transfer arrives
        confirm_offline_payment(tx, year_of_orders["admin"], invoiced.id or 0, "SPEI 0007")

    impact = service.impact(session, settings)
    assert (impact.paid_cents, impact.unpaid_cents, impact.institutional_cents) == (203000, 0, 99000)
    html = soup(client.get("/impacto"))
    assert figure(html, "paid") == "$2,030.00" and maybe(html, "[data-figure='unpaid']") is None


def test_an_order_counts_for_the_institution_it_was_bought_for(
    app: FastAPI, engine: Engine, session: Session, settings: Settings, year_of_orders: dict[str, Any]
) -> None:
    hospital = year_of_orders["hospital"]
    with transaction(engine) as tx:
        # Luis, who bought for himself all year, joins the hospital; the nurse who bought for it leaves.
        tx.add(BuyerMembership(user_id=year_of_orders["consumer"].id, buyer_organization_id=hospital.id))
        tx.execute(
            delete(BuyerMembership).where(
                BuyerMembership.user_id == year_of_orders["nurse"].id,
            )
        )

    impact = service.impact(session, settings)
    assert (impact.institutional_cents, impact.consumer_cents) == (75000, 104000)
    report = service.sales(session, settings, hospital.id)
    assert [(s.organization_name, s.paid_cents) for s in report] == [("Ejido El Palmar", 15000)]
    luis = signed_in(app, "luis@example.mx")
    rows = rows_of(luis.get(f"/instituciones/{hospital.slug}/impacto.csv"))
    assert [(r["organizacion"], r["pagado"], r["tipo_comprador"]) for r in rows] == [
        ("Ejido El Palmar", "150.00", "institucional")
    ]


def test_a_sale_keeps_its_producer_as_it_was_when_it_sold(
    client: TestClient, engine: Engine, session: Session, settings: Settings, year_of_orders: dict[str, Any]
) -> None:
    before = service.impact(session, settings)
    csv_before = client.get("/impacto.csv").text
    a = year_of_orders["orgs"]["a"]
    with transaction(engine) as tx:  # Flor de Café moves, changes its legal form, members and seals
        organizations.update(
            tx,
            year_of_orders["owners"]["a"],
            tx.get_one(Organization, a.id),
            OrganizationUpdate(
                state="20",
                legal_form="ejido",
                members_count=200,
                women_members_count=10,
                indigenous_community="",
                certifications=[],
                sdgs=[1],
            ),
        )

    after = service.impact(session, settings)
    for figure_name in (
        "by_state",
        "by_legal_form",
        "by_certification",
        "by_sdg",
        "women_led_cents",
        "indigenous_cents",
        "states",
    ):
        assert getattr(after, figure_name) == getattr(before, figure_name), figure_name
    html = client.get("/impacto")
    assert bars(html, "por-estado") == [("07", 68589), ("31", 55200), ("20", 41400)]
    assert client.get("/impacto.csv").text == csv_before
