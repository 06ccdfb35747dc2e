"""The invoicing tests' shop: two producers with fiscal data and a test CSD (coffee at 0 % IVA; rebozos at
16 % with a delivery fee), a verified school and a consumer (the `shop` fixture, in conftest.py), and the
helpers that buy from it and run the invoicing worker."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.config import Settings
from market.invoicing import issuing
from market.invoicing.models import Invoice
from market.orders.checkout import checkout
from market.orders.models import Fulfillment, Order
from market.orders.schemas import Checkout
from market.outbox import process_batch

PRODUCERS = (
    # key, name, RFC, razón social, category (IVA), price with IVA, delivery fee
    ("cafe", "Cooperativa Flor de Café", "CFC050312AB4", "COOPERATIVA FLOR DE CAFE", "cafe", 32000, 0),
    (
        "rebozos",
        "Tejedoras de Zinacantán",
        "CTZ0803115N4",
        "COOPERATIVA TEJEDORAS DE ZINACANTAN",
        "textiles",
        45900,
        8999,
    ),
)
QUANTITIES = {"cafe": 5, "rebozos": 7}


def buy(session: Session, settings: Settings, shop: dict[str, Any], buyer: Any, **choices: Any) -> Order:
    items = [
        {"listing_id": shop[key]["listing"].id, "quantity": quantity} for key, quantity in QUANTITIES.items()
    ]
    delivery = {shop["rebozos"]["org"].id: "delivery"}
    order = checkout(
        session,
        settings,
        buyer,
        Checkout(
            items=items,
            delivery=delivery,
            delivery_state="20",
            ship_to="Calle Reforma 5, Centro, Oaxaca",
            **choices,
        ),
    )
    session.commit()
    return order


def run_worker(engine: Engine, settings: Settings) -> None:
    """The worker's outbox runs (with the real handler) until nothing due is left."""
    while process_batch(engine, {issuing.TOPIC: issuing.handler(settings)}):
        pass


def invoices(session: Session) -> list[Invoice]:
    session.expire_all()
    return list(session.exec(select(Invoice).order_by(col(Invoice.id))).all())


def iva(concepto: Any) -> Any:
    """A Concepto's one IVA Traslado."""
    [traslado] = concepto["Impuestos"]["Traslados"].values()
    return traslado


def parts(session: Session, order: Order) -> dict[int, Fulfillment]:
    return {
        f.organization_id: f
        for f in session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id))
    }
