"""A whole purchase in a real Chromium, every person in a browser of their own: a consumer finds the
products of two cooperatives with the search, checks out paying by SPEI transfer and sees how to pay;
an administrator matches the transfer; a member of each cooperative accepts, prepares and ships (or has
it ready for pickup) from the organization's queue; the buyer confirms delivery and the order page tells
the whole story."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session

from market.accounts.models import User
from market.organizations.models import Membership, Organization
from tests.fixtures.browser import SignIn
from tests.helpers import run_search_worker

pytestmark = pytest.mark.browser

COFFEE = "Café de altura tostado en grano"
HONEY = "Miel melipona de Maní"
BANK_REFERENCE = "MBAN01002605140012345"  # the SPEI "clave de rastreo" on the bank statement
UPDATED = "Listo: actualizamos el pedido."


def add_member(session: Session, user: User, organization: Organization) -> None:
    """Someone who works the orders of a cooperative without owning its account."""
    assert user.id is not None and organization.id is not None
    session.add(Membership(user_id=user.id, organization_id=organization.id, role="member"))
    session.commit()


def producer_section(page: Page, organization: str) -> Locator:
    """The part of the order page about one producer: its heading names it and says its status."""
    heading = page.get_by_role("heading", name=re.compile(f"^{re.escape(organization)} · "))
    return page.locator("section", has=heading)


def choose_delivery(section: Locator, organization_id: int, method: str) -> None:
    """The delivery choice of one producer (`delivery.<organization id>`), whether a select or radios."""
    field = section.locator(f'[name="delivery.{organization_id}"]')
    if field.first.evaluate("element => element.tagName") == "SELECT":
        field.select_option(method)
    else:
        section.locator(f'[name="delivery.{organization_id}"][value="{method}"]').check()


def open_queue(page: Page, live_server: str, organization: str, order_id: int) -> Locator:
    """A member of the producer opens the organization's orders from their panel: the card of the order,
    waiting to be accepted."""
    page.goto(f"{live_server}/panel")
    page.get_by_role("link", name=organization).click()
    page.get_by_role("link", name="Pedidos", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pedidos de {organization}")
    card = page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^Pedido {order_id} · "))
    )
    expect(card.get_by_role("heading")).to_have_text(f"Pedido {order_id} · Por aceptar")
    return card


def test_a_consumer_buys_from_two_cooperatives_and_follows_the_order_to_delivery(
    live_server: str,
    app: Any,
    session: Session,
    sign_in: SignIn,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    # Two verified cooperatives, each with someone who works its orders, a buyer and the platform's team.
    make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True)
    flor = make_org(make_user("duena@florcafe.mx", name="Dueña Flor"))
    mani = make_org(
        make_user("duena@mani.mx", name="Dueña Maní"),
        name="Meliponicultoras de Maní",
        rfc="MMA100215QW3",
        state="31",
        municipality="Maní",
    )
    add_member(session, make_user("rosa@florcafe.mx", name="Rosa Pérez"), flor)
    add_member(session, make_user("eva@mani.mx", name="Eva Canché"), mani)
    make_user("lucia@example.mx", name="Lucía Hernández")
    make_listing(flor, title=COFFEE, pickup=True, national_shipping=True)
    make_listing(
        mani, title=HONEY, description="Miel de abeja nativa sin aguijón.", category="miel", price_cents=25000
    )
    run_search_worker(app)

    # --- the buyer searches, fills the cart and checks out by SPEI transfer -----------------------------
    buyer = sign_in("lucia@example.mx")
    buyer.goto(f"{live_server}/buscar")
    buyer.get_by_label("¿Qué buscas?").fill("cafe")  # htmx searches as you type
    expect(buyer.get_by_role("status")).to_contain_text("1 resultado")
    buyer.get_by_role("link", name=COFFEE).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(COFFEE)
    buyer.get_by_label("Cantidad").fill("2")
    buyer.get_by_role("button", name="Agregar al carrito").click()  # htmx answers in place
    added = buyer.get_by_role("status")
    expect(added).to_have_text(f"Agregamos 2 kg de «{COFFEE}» a tu carrito. Ver tu carrito")

    search_box = buyer.get_by_role("searchbox", name="Buscar productos")  # the one in every page's header
    search_box.fill("miel melipona")
    search_box.press("Enter")
    expect(buyer.get_by_role("status")).to_contain_text("1 resultado")
    buyer.get_by_role("link", name=HONEY).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(HONEY)
    buyer.get_by_role("button", name="Agregar al carrito").click()
    expect(added).to_have_text(f"Agregamos 1 kg de «{HONEY}» a tu carrito. Ver tu carrito")
    buyer.get_by_role("link", name="Ver tu carrito").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Tu carrito")

    coffee_group = buyer.locator("section", has=buyer.get_by_role("heading", name=flor.name))
    honey_group = buyer.locator("section", has=buyer.get_by_role("heading", name=mani.name))
    expect(coffee_group.get_by_role("row", name=COFFEE)).to_contain_text("$640.00")
    expect(honey_group.get_by_role("row", name=HONEY)).to_contain_text("$250.00")
    expect(coffee_group).to_contain_text("Subtotal: $640.00")
    expect(honey_group).to_contain_text("Subtotal: $250.00")
    choose_delivery(coffee_group, flor.id, "national")
    choose_delivery(honey_group, mani.id, "pickup")
    buyer.get_by_label("Dirección de entrega").fill("Av. Chapultepec 480, Americana, 44160 Guadalajara, Jal.")
    buyer.get_by_label("Teléfono de contacto").fill("33 1234 5678")
    buyer.get_by_role("radio", name="Transferencia SPEI").check()
    buyer.get_by_role("button", name="Hacer el pedido").click()

    expect(buyer).to_have_url(re.compile(r"/pedidos/\d+$"))
    order_id = int(buyer.url.rsplit("/", 1)[1])
    reference = f"TS{order_id:08d}"
    order_url = buyer.url
    expect(buyer.get_by_role("heading", level=1)).to_have_text(f"Pedido {order_id}")
    expect(buyer.locator("h1 + p")).to_contain_text("Esperando pago")
    how_to_pay = buyer.get_by_role("region", name="Cómo pagar")
    expect(how_to_pay).to_contain_text("002010077777777771")  # the platform's CLABE
    expect(how_to_pay).to_contain_text(re.compile(r"Importe exacto\s*\$890\.00"))
    expect(how_to_pay).to_contain_text(re.compile(rf"Referencia\s*{reference}"))
    for organization in (flor.name, mani.name):
        expect(producer_section(buyer, organization).get_by_role("heading")).to_have_text(
            f"{organization} · Esperando pago"
        )
    expect(producer_section(buyer, flor.name)).to_contain_text(f"2 kg · {COFFEE} · $640.00")
    expect(producer_section(buyer, mani.name)).to_contain_text(f"1 kg · {HONEY} · $250.00")
    buyer.get_by_role("link", name="Carrito").click()
    expect(buyer.get_by_text("Tu carrito está vacío.")).to_be_visible()

    # --- the administrator matches the SPEI transfer on the bank statement -----------------------------
    admin = sign_in("admin@example.mx")
    admin.get_by_role("link", name="Administración").click()
    admin.get_by_role("link", name="Pagos por confirmar").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Pagos por confirmar")
    row = admin.get_by_role("row", name=reference)
    expect(row).to_contain_text("$890.00")
    expect(row).to_contain_text("lucia@example.mx")
    row.get_by_label("Clave de rastreo").fill(BANK_REFERENCE)
    row.get_by_role("button", name="Confirmar pago").click()
    expect(admin.get_by_role("status")).to_have_text(
        f"Pago registrado: el pedido {order_id} pasa a las organizaciones."
    )
    expect(admin.get_by_text("No hay pagos por confirmar.")).to_be_visible()

    buyer.goto(order_url)
    expect(buyer.locator("h1 + p")).to_contain_text("Pagado")
    expect(buyer.get_by_role("region", name="Cómo pagar")).to_have_count(0)
    for organization in (flor.name, mani.name):
        expect(producer_section(buyer, organization).get_by_role("heading")).to_have_text(
            f"{organization} · Por aceptar"
        )

    # --- each cooperative accepts, prepares and ships or has it ready for pickup ------------------------
    rosa = sign_in("rosa@florcafe.mx")
    card = open_queue(rosa, live_server, flor.name, order_id)
    expect(card).to_contain_text(f"2 kg · {COFFEE} · $640.00")
    expect(card).to_contain_text("Envío nacional")
    expect(card).not_to_contain_text(HONEY)  # the other cooperative's part is not shown
    for button, status in (("Aceptar", "Aceptado"), ("Empezar a preparar", "En preparación")):
        card.get_by_role("button", name=button, exact=True).click()
        expect(card.get_by_role("heading")).to_have_text(f"Pedido {order_id} · {status}")
        expect(rosa.get_by_role("status")).to_have_text(UPDATED)
    card.get_by_label("Paquetería").fill("Estafeta")
    card.get_by_label("Número de guía").fill("7012345678")
    card.get_by_role("button", name="Marcar como enviado").click()
    expect(card.get_by_role("heading")).to_have_text(f"Pedido {order_id} · Enviado")
    expect(rosa.get_by_role("status")).to_have_text(UPDATED)
    expect(card.get_by_role("button")).to_have_count(0)  # nothing left for the producer to do

    eva = sign_in("eva@mani.mx")
    card = open_queue(eva, live_server, mani.name, order_id)
    expect(card).to_contain_text(f"1 kg · {HONEY} · $250.00")
    expect(card).to_contain_text("Recoger con la organización")
    for button, status in (
        ("Aceptar", "Aceptado"),
        ("Empezar a preparar", "En preparación"),
        ("Listo para recoger", "Listo para recoger"),
    ):
        card.get_by_role("button", name=button, exact=True).click()
        expect(card.get_by_role("heading")).to_have_text(f"Pedido {order_id} · {status}")
        expect(eva.get_by_role("status")).to_have_text(UPDATED)
    expect(card.get_by_role("button")).to_have_count(0)

    buyer.goto(order_url)
    expect(producer_section(buyer, flor.name).get_by_role("heading")).to_have_text(f"{flor.name} · Enviado")
    expect(producer_section(buyer, flor.name)).to_contain_text("Estafeta · 7012345678")
    expect(producer_section(buyer, mani.name).get_by_role("heading")).to_have_text(
        f"{mani.name} · Listo para recoger"
    )

    # --- the buyer confirms delivery, one cooperative at a time -----------------------------------------
    for organization in (flor.name, mani.name):
        producer_section(buyer, organization).get_by_role("button", name="Ya lo recibí").click()
        expect(buyer.get_by_role("status")).to_have_text("Gracias: anotamos que ya lo recibiste.")
        expect(producer_section(buyer, organization).get_by_role("heading")).to_have_text(
            f"{organization} · Entregado"
        )
        expect(producer_section(buyer, organization).get_by_role("button")).to_have_count(0)

    # --- the order page tells the whole story -----------------------------------------------------------
    buyer.get_by_role("link", name="Mis pedidos").click()
    buyer.get_by_role("link", name=f"Pedido {order_id}").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(f"Pedido {order_id}")
    expect(buyer.locator("h1 + p")).to_contain_text("Pagado")
    expect(buyer.locator("h1 + p")).to_contain_text("Total: $890.00")
    step = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} · "
    common = [
        re.compile(step + "Esperando pago$"),
        re.compile(step + "Por aceptar — Pago recibido.$"),  # the bank's key stays in the ledger
        re.compile(step + "Aceptado$"),
        re.compile(step + "En preparación$"),
    ]
    for organization, handed_over in ((flor.name, "Enviado"), (mani.name, "Listo para recoger")):
        section = producer_section(buyer, organization)
        expect(section.get_by_role("heading")).to_have_text(f"{organization} · Entregado")
        expect(section.locator("ol.timeline").get_by_role("listitem")).to_have_text(
            [*common, re.compile(step + f"{handed_over}$"), re.compile(step + "Entregado$")]
        )
