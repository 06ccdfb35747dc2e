"""The producer dashboard's sales page (figures, a monthly bar chart drawn on the server) and its CSV
exports of orders and ledger movements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlmodel import Session

from market import csvfiles
from market.accounts.models import User
from market.catalog.taxonomy import DELIVERY_LABELS
from market.db import utcnow
from market.deps import PageDep, SessionDep, UserDep
from market.errors import ValidationFailed
from market.i18n import babel_locale
from market.i18n import gettext as _
from market.ledger.service import KIND_LABELS
from market.mexico import MEXICO_CITY, local_time
from market.money import cents_to_pesos
from market.orders.models import FulfillmentStatus, OrderStatus
from market.organizations import analytics, exports
from market.organizations.models import Organization
from market.web import PageContext, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/panel/o/{slug}/ventas", name="organizations.sales_page")
def sales_page(slug: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    return _page(page, session, user, analytics.viewable(session, user, slug))


def _page(
    page: PageContext,
    session: Session,
    user: User,
    organization: Organization,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    figures = analytics.dashboard(session, user, organization)
    return page.render(
        "organizations/analytics.html",
        {
            "org": organization,
            "figures": figures,
            "chart": sales_chart(figures.months),
            "month_label": month_label,
            "values": values or {},
            "errors": errors or {},
        },
        status,
    )


def month_label(month: date, width: str = "LLL yyyy") -> str:
    return format_date(month, width, locale=babel_locale())


# --- the chart -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    month: date
    cents: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float  # y of zero pesos: a month where refunds exceed sales goes below it
    bars: list[Bar]


def sales_chart(months: list[analytics.MonthSales], width: int = 720, height: int = 240) -> Chart:
    top, plot = 10, height - 40  # room below for the month names
    high = max([0, *(m.sales_cents for m in months)])
    low = min([0, *(m.sales_cents for m in months)])
    span = (high - low) or 1
    baseline = top + plot * high / span
    slot = width / max(len(months), 1)
    bars = []
    for i, m in enumerate(months):
        size = plot * abs(m.sales_cents) / span
        bars.append(
            Bar(
                month=m.month,
                cents=m.sales_cents,
                x=round(i * slot + slot * 0.15, 1),
                y=round(baseline - size if m.sales_cents >= 0 else baseline, 1),
                width=round(slot * 0.7, 1),
                height=round(size, 1),
            )
        )
    return Chart(width=width, height=height, baseline=round(baseline, 1), bars=bars)


# --- exports ---------------------------------------------------------------------------------------


@router.get("/panel/o/{slug}/pedidos.csv", name="organizations.orders_csv")
def orders_csv(
    slug: str,
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    since: Annotated[str | None, Query(alias="desde")] = None,
    until: Annotated[str | None, Query(alias="hasta")] = None,
) -> Response:
    organization = analytics.viewable(session, user, slug)
    try:
        period = exports.parse_period(since, until)
    except ValidationFailed as exc:
        errors = {field: _(message) for field, message in exc.errors.items()}
        return _page(page, session, user, organization, {"desde": since, "hasta": until}, errors, 422)
    header = [
        _("Pedido"),
        _("Fecha"),
        _("Estado del pedido"),
        _("Estado de tu parte"),
        _("Compra"),
        _("Entrega"),
        _("Producto"),
        _("Cantidad"),
        _("Unidad"),
        _("Precio unitario"),
        _("Importe"),
        _("Subtotal de tu parte"),
        _("Envío"),
        _("Comisión"),
        _("Recibes"),
        _("Reembolsado"),
    ]
    rows: Iterator[list[csvfiles.Cell]] = (
        [
            r.order_id,
            local_time(r.ordered_at),
            _(OrderStatus.label_of(r.order_status)),
            _(FulfillmentStatus.label_of(r.fulfillment_status)),
            r.buyer_name,
            _(DELIVERY_LABELS.get(r.delivery_method, r.delivery_method)),
            r.title,
            r.quantity,
            r.unit,
            cents_to_pesos(r.unit_price_cents),
            cents_to_pesos(r.line_total_cents),
            cents_to_pesos(r.part_subtotal_cents),
            cents_to_pesos(r.delivery_cents),
            cents_to_pesos(r.fee_cents),
            cents_to_pesos(r.producer_cents),
            cents_to_pesos(r.refunded_cents),
        ]
        for r in exports.order_lines(session, user, organization, period)
    )
    return csvfiles.response(f"pedidos-{organization.slug}-{_today()}.csv", header, rows)


@router.get("/panel/o/{slug}/movimientos.csv", name="organizations.movements_csv")
def movements_csv(slug: str, user: UserDep, session: SessionDep) -> Response:
    organization = analytics.viewable(session, user, slug)
    header = [_("Fecha"), _("Concepto"), _("Pedido"), _("Importe"), _("Referencia"), _("Saldo")]
    rows: Iterator[list[csvfiles.Cell]] = (
        [
            local_time(m.created_at),
            _(KIND_LABELS.get(m.kind, m.kind)),
            m.order_id,
            cents_to_pesos(m.amount_cents),
            m.reference,
            cents_to_pesos(m.balance_cents),
        ]
        for m in exports.movements(session, user, organization)
    )
    return csvfiles.response(f"movimientos-{organization.slug}-{_today()}.csv", header, rows)


def _today() -> str:
    return utcnow().astimezone(MEXICO_CITY).date().isoformat()
