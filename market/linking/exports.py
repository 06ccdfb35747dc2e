"""An institution's demands as a CSV for its budget office: each with its partida presupuestal, its purchase
order and what was awarded (money in pesos with two decimals, written by market.csvfiles as every export)."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from market import csvfiles
from market.accounts.models import User
from market.linking import demands
from market.linking.models import Award, BuyerOrganization, DemandStatus
from market.mexico import local_time
from market.money import cents_to_pesos

# Stable Spanish headers, as a spreadsheet would have them (they do not change with the interface language).
COLUMNS = (
    "demanda",
    "titulo",
    "partida",
    "partida_descripcion",
    "estatus",
    "orden_de_compra",
    "cantidad_por_entrega",
    "unidad",
    "entregas",
    "cierre_cotizaciones",
    "importe_adjudicado",  # every awarded quote at its price, every delivery (empty until awarded)
)


def demand_rows(session: Session, user: User, buyer: BuyerOrganization) -> list[list[csvfiles.Cell]]:
    """The institution's demands, newest first (its members only)."""
    found = demands.of_buyer(session, user, buyer)
    awarded: dict[int, int] = defaultdict(int)
    ids = [d.id for d in found if d.status == DemandStatus.AWARDED]
    if ids:
        for award in session.exec(select(Award).where(col(Award.demand_id).in_(ids))).all():
            awarded[award.demand_id] += award.quantity * award.unit_price_cents
    return [
        [
            d.id,
            d.title,
            d.partida_code,
            d.partida_description,
            DemandStatus.label_of(d.status),
            d.purchase_order,
            d.quantity,
            d.unit,
            d.deliveries,
            local_time(d.quote_deadline),
            cents_to_pesos(awarded[d.id] * d.deliveries) if d.id in awarded else None,
        ]
        for d in found
        if d.id is not None
    ]
