"""Productive linking in a real Chromium, every person in a browser of their own: a school registers as an
institution and is verified, posts a coffee demand and publishes it; matching finds two cooperatives, each
of which sees it under "Demandas para ti" and quotes part of the quantity; when quoting closes, the school
compares the quotes side by side, awards both as proposed and gets one order with a part per cooperative,
its purchase order number and a printable purchase order."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from playwright.sync_api import expect
from sqlmodel import Session, select

from market.db import utcnow
from market.linking.matching import match_demand
from market.linking.models import Demand
from market.outbox import process_batch
from tests.fixtures.browser import SignIn
from tests.helpers import run_search_worker

pytestmark = pytest.mark.browser

SCHOOL = "Escuela Secundaria Técnica 1 de Oaxaca"
DEMAND = "Café tostado para la cafetería escolar"
SIERRA = "Cooperativa Café de la Sierra Mixe"
PLUMA = "Mujeres Cafetaleras de Pluma Hidalgo"


def run_matching(app: FastAPI) -> int:
    """What the worker does once a demand is published: find who can fill it."""
    search = app.state.search
    return process_batch(
        app.state.engine,
        {"match_demand": lambda session, payload: match_demand(session, search, payload["demand_id"])},
    )


def test_an_institution_posts_a_demand_two_producers_quote_and_it_awards_both(
    live_server: str,
    app: FastAPI,
    session: Session,
    sign_in: SignIn,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    # Two verified coffee cooperatives that deliver to Oaxaca, the school's buyer and the platform's team.
    make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True)
    make_user("compras@est1.edu.mx", name="Marta Ruiz")
    sierra = make_org(
        make_user("sierra@cafe.mx", name="Juan Vásquez"),
        name=SIERRA,
        state="20",
        municipality="Santa María Tlahuitoltepec",
        latitude=17.1,
        longitude=-96.05,
        certifications=["spp"],
        members_count=80,
        women_members_count=30,
    )
    pluma = make_org(
        make_user("pluma@cafe.mx", name="Rosa Jiménez"),
        name=PLUMA,
        legal_form="sss",
        rfc="MCP100215QW3",
        state="20",
        municipality="Pluma Hidalgo",
        latitude=15.93,
        longitude=-96.42,
        members_count=40,
        women_members_count=40,
    )
    make_listing(sierra, title="Café pluma tostado en grano", delivery_states=["20"])
    make_listing(pluma, title="Café de altura de Pluma Hidalgo", national_shipping=True)
    run_search_worker(app)

    # --- the school registers as an institution and the platform's team verifies it ---------------------
    buyer = sign_in("compras@est1.edu.mx")
    buyer.get_by_role("link", name="Mi panel").click()
    buyer.get_by_role("link", name="Registrar una institución").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Registrar una institución")
    buyer.get_by_label("Nombre de la institución").fill(SCHOOL)
    buyer.get_by_role("combobox", name="Tipo de institución").select_option("school")
    buyer.get_by_role("combobox", name="Estado").select_option("20")
    buyer.get_by_label("Municipio").fill("Oaxaca de Juárez")
    buyer.get_by_label("RFC").fill("EST850101AB1")
    buyer.get_by_label("Razón social").fill("Escuela Secundaria Técnica Número 1")
    buyer.get_by_role("combobox", name="Régimen fiscal").select_option("603")
    buyer.get_by_label("Código postal del domicilio fiscal").fill("68000")
    buyer.get_by_role("combobox", name="Uso del CFDI").select_option("G01")
    buyer.get_by_role("button", name="Enviar a revisión").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(SCHOOL)
    expect(buyer.get_by_text("En revisión", exact=True)).to_be_visible()
    institution_url = buyer.url

    admin = sign_in("admin@example.mx")
    admin.get_by_role("link", name="Administración").click()
    admin.get_by_role("link", name="Instituciones por verificar").click()
    review = admin.get_by_role("article").filter(has=admin.get_by_role("heading", name=SCHOOL))
    expect(review).to_contain_text("EST850101AB1")
    review.get_by_role("button", name="Verificar").click()
    expect(admin.get_by_role("status")).to_have_text(f"Verificamos {SCHOOL}.")
    expect(admin.get_by_text("No hay instituciones esperando revisión.")).to_be_visible()

    # --- it posts a demand (saved as a draft) and publishes it ------------------------------------------
    buyer.goto(institution_url)
    expect(buyer.get_by_text("Verificada", exact=True)).to_be_visible()
    buyer.get_by_role("link", name="Nueva demanda").click()
    buyer.get_by_label("Título").fill(DEMAND)
    buyer.get_by_role("combobox", name="Categoría").select_option("cafe")
    buyer.get_by_label("Cantidad por entrega").fill("500")
    buyer.get_by_role("combobox", name="Unidad").select_option("kg")
    buyer.get_by_label("Precio máximo por unidad (MXN)").fill("350")
    buyer.get_by_label("Dirección de entrega").fill("Av. Universidad 200, Ex-Hacienda 5 Señores, 68120")
    buyer.get_by_label("Primera entrega").fill((date.today() + timedelta(days=21)).isoformat())
    deadline = datetime.now(ZoneInfo("America/Mexico_City")) + timedelta(days=5)
    buyer.get_by_label("Cierre de cotizaciones").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    buyer.get_by_role("button", name="Guardar borrador").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(DEMAND)
    expect(buyer.locator("#demand-status")).to_contain_text("Borrador")
    buyer.get_by_role("button", name="Publicar").click()
    expect(buyer.get_by_role("status")).to_contain_text("Publicamos la demanda.")
    expect(buyer.locator("#demand-status")).to_contain_text("Recibiendo cotizaciones")
    demand_url = buyer.url
    assert run_matching(app) == 1

    # --- each cooperative finds it under "Demandas para ti" and quotes part of the quantity -------------
    for email, organization, price, quantity in (
        ("sierra@cafe.mx", SIERRA, "310.00", "300"),
        ("pluma@cafe.mx", PLUMA, "295.50", "250"),
    ):
        producer = sign_in(email)
        producer.get_by_role("link", name="Demandas", exact=True).click()
        for_you = producer.get_by_role("region", name=f"Demandas para ti · {organization}")
        for_you.get_by_role("link", name=DEMAND).click()
        expect(producer.get_by_role("heading", level=1)).to_have_text(DEMAND)
        producer.get_by_label("Precio por unidad (MXN)").fill(price)
        producer.get_by_label("Cantidad por entrega").fill(quantity)
        producer.get_by_label("Cómo y cuándo entregas").fill("Entregamos en camioneta propia.")
        producer.get_by_role("button", name="Enviar cotización").click()
        expect(producer.get_by_role("status")).to_contain_text("Enviamos tu cotización.")
        own = producer.get_by_role("region", name="Tu cotización")
        expect(own).to_contain_text(f"Enviada {quantity} kg por entrega a ${price}")
        expect(producer.get_by_role("button", name="Actualizar cotización")).to_be_visible()
    expect(producer.get_by_text(SIERRA)).to_have_count(0)  # the second never sees the first's quote

    # Quoting closes (the award waits for the deadline).
    demand = session.exec(select(Demand).where(Demand.title == DEMAND)).one()
    demand.quote_deadline = utcnow() - timedelta(minutes=1)
    session.add(demand)
    session.commit()

    # --- the school compares the quotes side by side and awards both as proposed ------------------------
    buyer.goto(demand_url)
    quotes = buyer.get_by_role("region", name="Cotizaciones")
    expect(quotes.get_by_role("row")).to_have_count(3)  # the header and one row per quote, cheapest first
    pluma_row = quotes.get_by_role("row", name=re.compile(PLUMA))
    sierra_row = quotes.get_by_role("row", name=re.compile(SIERRA))
    expect(pluma_row).to_contain_text("$295.50")
    expect(pluma_row).to_contain_text("250 kg (50 %)")
    expect(pluma_row).to_contain_text("Sociedad de solidaridad social")
    expect(pluma_row).to_contain_text("40 (40 mujeres)")
    expect(pluma_row).to_contain_text(re.compile(r"\d+ km"))
    expect(sierra_row).to_contain_text("$310.00")
    expect(sierra_row).to_contain_text("300 kg (60 %)")
    expect(sierra_row).to_contain_text("Símbolo de Pequeños Productores (SPP)")
    proposal = buyer.get_by_role("region", name="Propuesta de asignación")
    expect(proposal.get_by_role("row", name=re.compile(PLUMA))).to_contain_text("250 kg")
    expect(proposal.get_by_role("row", name=re.compile(SIERRA))).to_contain_text("250 kg")
    expect(proposal).to_contain_text("$151,375.00")  # 250 × 295.50 + 250 × 310.00
    expect(proposal).to_contain_text("La propuesta cubre todo lo que pide cada entrega: 500 kg.")
    expect(buyer.get_by_label(f"Cantidad para {PLUMA}")).to_have_value("250")
    expect(buyer.get_by_label(f"Cantidad para {SIERRA}")).to_have_value("250")
    buyer.get_by_role("button", name="Adjudicar y crear el pedido").click()

    expect(buyer).to_have_url(re.compile(r"/pedidos/\d+$"))
    order_id = int(buyer.url.rsplit("/", 1)[1])
    expect(buyer.get_by_role("heading", level=1)).to_have_text(f"Pedido {order_id}")
    notice = buyer.get_by_role("status")
    expect(notice).to_contain_text(re.compile(r"Orden de compra OC-\d{4}-\d{5}\."))
    number = re.search(r"OC-\d{4}-\d{5}", notice.inner_text())
    assert number is not None
    parts = buyer.locator("section", has=buyer.get_by_role("heading", name=re.compile(r" · ")))
    expect(parts).to_have_count(2)  # one fulfillment per cooperative, at its quoted price
    expect(parts.filter(has_text=PLUMA)).to_contain_text(f"250 kg · {DEMAND} · $73,875.00")
    expect(parts.filter(has_text=SIERRA)).to_contain_text(f"250 kg · {DEMAND} · $77,500.00")
    expect(buyer.locator("h1 + p")).to_contain_text("Total: $151,375.00")

    # --- the demand page keeps the purchase order, printable --------------------------------------------
    buyer.goto(demand_url)
    expect(buyer.locator("#demand-status")).to_contain_text("Adjudicada")
    purchase = buyer.get_by_role("region", name=f"Orden de compra {number.group()}")
    purchase.get_by_role("link", name="Orden de compra para imprimir").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(f"Orden de compra {number.group()}")
    expect(buyer.get_by_role("region", name="Comprador (datos para el CFDI)")).to_contain_text("EST850101AB1")
    expect(buyer.get_by_role("region", name=f"Proveedor: {PLUMA}")).to_contain_text("$73,875.00")
    expect(buyer.get_by_role("region", name=f"Proveedor: {SIERRA}")).to_contain_text("$77,500.00")
    expect(buyer.get_by_text("Total de la orden: $151,375.00")).to_be_visible()
    buyer.emulate_media(media="print")
    expect(buyer.get_by_role("banner")).to_be_hidden()  # the site's header stays off the paper
