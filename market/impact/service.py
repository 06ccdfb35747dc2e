"""Impact accounting: every paid part of an order (a sale: one order, one producer organization) with the
producer's characteristics as they were when it sold, split into the producer's share, the platform's fee and
an estimate of what the payment provider charged. Paid means money received: what an institution was
invoiced and has not paid yet is counted apart. Figures are computed from the ledger and the orders, never
typed in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import utcnow
from market.errors import NotFound
from market.impact.models import ImpactRollup
from market.ledger.models import LedgerEntry
from market.ledger.service import FEES, PAYABLE, RECEIVABLE
from market.linking import buyers
from market.linking.models import BuyerOrganization
from market.mexico import MEXICO_CITY
from market.money import apply_bps
from market.orders.models import Fulfillment, Order
from market.organizations.models import Organization

SALE_KINDS = ("payment", "invoice", "cash_sale")  # what the ledger posts when a part is paid (or invoiced)
REFUND = "refund"
WINDOW_MONTHS = 12


@dataclass(frozen=True)
class Sale:
    """One producer's part of one order that was paid, with where its money went (centavos)."""

    order_id: int
    fulfillment_id: int
    organization_id: int
    organization_name: str
    state: str  # INEGI code
    legal_form: str
    women_led: bool
    indigenous: bool
    certifications: tuple[str, ...]
    sdgs: tuple[int, ...]
    institutional: bool
    payment_method: str
    sold_at: datetime  # when the money was received (an unpaid invoice: when it was invoiced)
    month: str  # "2026-03", in central Mexico's time
    gross_cents: int
    refunded_cents: int
    paid_cents: int  # money received (nothing yet on an unpaid invoice)
    unpaid_cents: int  # invoiced to an institution, not paid yet
    platform_fee_cents: int
    producer_share_cents: int
    payment_cost_cents: int


@dataclass(frozen=True)
class Bar:
    """Money that reached producers of one kind (a state, a legal form, a certification...)."""

    key: str
    value_cents: int
    organizations: int


@dataclass(frozen=True)
class Month:
    month: str  # "2026-03"
    value_cents: int
    organizations: int


@dataclass(frozen=True)
class Impact:
    year: int | None  # None: every year; the monthly chart then shows the last 12 months
    computed_at: datetime
    years: list[int]  # the years with sales, for the selector
    months: list[str]  # the months of the monthly chart
    sale_count: int  # parts that moved money (a part refunded in full did not)
    gross_cents: int
    refunded_cents: int
    paid_cents: int  # money received
    unpaid_cents: int  # invoiced to institutions and not paid yet: counted in no other figure
    unpaid_sales: int
    producer_share_cents: int  # the money to the social sector
    platform_fee_cents: int
    payment_cost_cents: int  # out of the platform's fee
    platform_net_cents: int
    producer_share_bps: int  # of each peso paid, in basis points
    platform_net_bps: int
    payment_cost_bps: int
    organizations: int
    states: int
    active_organizations: int  # with a sale in the months of the monthly chart
    women_led_cents: int
    women_led_bps: int  # of the money to the social sector
    indigenous_cents: int
    indigenous_bps: int
    institutional_cents: int  # what institutions paid
    consumer_cents: int  # what people paid
    by_month: list[Month]
    by_state: list[Bar]
    by_legal_form: list[Bar]
    by_certification: list[Bar]
    by_sdg: list[Bar]


def share_bps(part: int, whole: int) -> int:
    """`part` of `whole` in basis points, rounded half up (0 of nothing)."""
    return (part * 20_000 + whole) // (2 * whole) if whole > 0 else 0


def payment_cost(settings: Settings, method: str, charged_cents: int) -> int:
    """What the provider charges to collect `charged_cents` by `method`: a percentage and a fixed amount,
    plus IVA on that commission."""
    bps, fixed = settings.payment_cost_rates.get(method, (0, 0))
    if charged_cents <= 0 or (bps == 0 and fixed == 0):
        return 0
    commission = apply_bps(charged_cents, bps) + fixed
    return commission + apply_bps(commission, settings.payment_cost_iva_bps)


def _allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`; the largest weight (the first on a tie) takes the rounding,
    so the parts add up to the total exactly."""
    whole = sum(weights)
    if whole <= 0:
        return [0] * len(weights)
    shares = [total * w // whole for w in weights]
    shares[weights.index(max(weights))] += total - sum(shares)
    return shares


def _month_of(moment: datetime) -> str:
    return moment.astimezone(MEXICO_CITY).strftime("%Y-%m")


LIST_SEPARATOR = ";"  # how the rollup keeps a sale's certifications and SDGs in one key column


def join_list(items: Iterable[object]) -> str:
    return LIST_SEPARATOR.join(str(item) for item in items)


def split_list(joined: str) -> list[str]:
    return joined.split(LIST_SEPARATOR) if joined else []


@cache  # built once per shape: building this query cost more than running it for one order's payment
def _sales_query(of_buyer: bool, of_orders: bool) -> sa.Select[Any]:
    """One row per sale (one producer's part of one order), grouped from the ledger and joined to its part,
    order and organization, by order then part; only the institution `:buyer`'s when `of_buyer`, only the
    orders with ids from `:first` to `:last` when `of_orders`."""
    kind, amount = col(LedgerEntry.kind), col(LedgerEntry.amount_cents)
    # The orders asked for, in both subqueries: PostgreSQL does not push a condition through the grouping.
    in_orders: sa.ColumnElement[bool] = (
        col(LedgerEntry.order_id).between(sa.bindparam("first"), sa.bindparam("last"))
        if of_orders
        else sa.true()
    )
    if of_buyer:  # bounded by the institution's own purchases
        bought = sa.select(col(Order.id)).where(col(Order.buyer_organization_id) == sa.bindparam("buyer"))
        in_orders = and_(in_orders, col(LedgerEntry.order_id).in_(bought))
    sold_at = func.min(case((kind.in_(SALE_KINDS), LedgerEntry.created_at)))
    postings = (
        sa.select(
            col(LedgerEntry.order_id).label("order_id"),
            col(LedgerEntry.organization_id).label("organization_id"),
            sold_at.label("sold_at"),
            func.sum(case((kind == REFUND, amount), else_=0)).label("refunded"),
            func.sum(case((col(LedgerEntry.account) == FEES, amount), else_=0)).label("fees"),
        )
        .where(
            col(LedgerEntry.account).in_((PAYABLE, FEES)),
            kind.in_((*SALE_KINDS, REFUND)),
            col(LedgerEntry.order_id).is_not(None),
            col(LedgerEntry.organization_id).is_not(None),
            in_orders,
        )
        .group_by(col(LedgerEntry.order_id), col(LedgerEntry.organization_id))
        .having(sold_at.is_not(None))  # refunds alone are not a sale
        .subquery()
    )
    # An invoice is paid when the institution's money settles what it owed (the receivable).
    settled = (
        sa.select(
            col(LedgerEntry.order_id).label("order_id"),
            func.min(LedgerEntry.created_at).label("paid_at"),
        )
        .where(col(LedgerEntry.account) == RECEIVABLE, kind == "payment", in_orders)
        .group_by(col(LedgerEntry.order_id))
        .subquery()
    )
    invoice_unpaid = and_(col(Order.payment_method) == "invoice", settled.c.paid_at.is_(None))
    received_at = func.coalesce(settled.c.paid_at, postings.c.sold_at)
    query = (
        sa.select(
            postings.c.order_id,
            received_at.label("sold_at"),
            postings.c.refunded,
            postings.c.fees,
            invoice_unpaid.label("unpaid"),
            col(Fulfillment.id).label("fulfillment_id"),
            (col(Fulfillment.subtotal_cents) + col(Fulfillment.delivery_cents)).label("gross"),
            col(Order.payment_method).label("method"),
            col(Order.buyer_organization_id).is_not(None).label("institutional"),
            col(Organization.id).label("organization_id"),
            col(Organization.name).label("name"),
            # The producer as it was when it sold, not as it is now.
            col(Fulfillment.producer_state).label("state"),
            col(Fulfillment.producer_legal_form).label("legal_form"),
            col(Fulfillment.producer_women_led).label("women_led"),
            col(Fulfillment.producer_indigenous).label("indigenous"),
            col(Fulfillment.producer_certifications).label("certifications"),
            col(Fulfillment.producer_sdgs).label("sdgs"),
        )
        .select_from(postings)
        .join(
            Fulfillment,
            and_(
                col(Fulfillment.order_id) == postings.c.order_id,
                col(Fulfillment.organization_id) == postings.c.organization_id,
            ),
        )
        .join(Order, col(Order.id) == postings.c.order_id)
        .join(Organization, col(Organization.id) == postings.c.organization_id)
        .outerjoin(settled, settled.c.order_id == postings.c.order_id)
        .order_by(postings.c.order_id, col(Fulfillment.id))
    )
    if of_buyer:  # the institution it was bought for when the order was placed
        query = query.where(col(Order.buyer_organization_id) == sa.bindparam("buyer"))
    return query


def _sales_of_order(settings: Settings, rows: list[sa.Row[Any]]) -> list[Sale]:
    """The sales of one order's rows. The provider charged the order once for the parts paid together: its
    cost is shared by their gross. Nothing was charged yet for an unpaid invoice."""
    charged = [i for i, row in enumerate(rows) if not row.unpaid]
    costs = [0] * len(rows)
    if charged:
        gross = [rows[i].gross for i in charged]
        cost = payment_cost(settings, rows[charged[0]].method, sum(gross))
        for i, share in zip(charged, _allocate(cost, gross), strict=True):
            costs[i] = share
    found = []
    for row, cost in zip(rows, costs, strict=True):
        refunded, fee = int(row.refunded), -int(row.fees)
        owed = row.gross - refunded
        # Until the institution pays, neither the producer nor the platform has received anything.
        paid, unpaid = (0, owed) if row.unpaid else (owed, 0)
        fee = 0 if row.unpaid else fee
        found.append(
            Sale(
                order_id=row.order_id,
                fulfillment_id=row.fulfillment_id,
                organization_id=row.organization_id,
                organization_name=row.name,
                state=row.state,
                legal_form=row.legal_form,
                women_led=bool(row.women_led),
                indigenous=bool(row.indigenous),
                certifications=tuple(row.certifications or ()),
                sdgs=tuple(row.sdgs or ()),
                institutional=bool(row.institutional),
                payment_method=row.method,
                sold_at=row.sold_at,
                month=_month_of(row.sold_at),
                gross_cents=row.gross,
                refunded_cents=refunded,
                paid_cents=paid,
                unpaid_cents=unpaid,
                platform_fee_cents=fee,
                producer_share_cents=paid - fee,
                payment_cost_cents=cost,
            )
        )
    return found


STREAM_ROWS = 2_000  # rows fetched at a time by iter_sales: its memory does not grow with the sales


def iter_sales(
    session: Session,
    settings: Settings,
    buyer_organization_id: int | None = None,
    orders: tuple[int, int] | None = None,
) -> Iterator[Sale]:
    """The sales from the ledger, order by order (by order id, then part), read in chunks: the whole
    history never sits in memory. Only one institution's when `buyer_organization_id` is given, only the
    orders with ids in `orders` (first, last) when it is given."""
    query = _sales_query(buyer_organization_id is not None, orders is not None)
    params: dict[str, int] = {}
    if buyer_organization_id is not None:
        params["buyer"] = buyer_organization_id
    if orders is not None:
        params["first"], params["last"] = orders
    if orders is None or orders[0] != orders[1]:  # one order's few rows come in one trip
        query = query.execution_options(yield_per=STREAM_ROWS)
    result = session.execute(query, params)
    for _order_id, rows in groupby(result, key=lambda row: row.order_id):
        yield from _sales_of_order(settings, list(rows))


def sales(
    session: Session,
    settings: Settings,
    buyer_organization_id: int | None = None,
    orders: tuple[int, int] | None = None,
) -> list[Sale]:
    """Every sale from the ledger (see iter_sales), oldest first: the reference the rollup is checked
    against, and an institution's report (bounded by its own purchases)."""
    found = list(iter_sales(session, settings, buyer_organization_id, orders))
    return sorted(found, key=lambda sale: (sale.sold_at, sale.fulfillment_id))


def in_year(found: Iterable[Sale], year: int | None) -> list[Sale]:
    return [s for s in found if year is None or s.month.startswith(f"{year:04d}-")]


def _window(year: int | None, now: datetime) -> list[str]:
    """The months of the monthly chart: those of the year, or the last 12 up to this one."""
    if year is not None:
        return [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    local = now.astimezone(MEXICO_CITY)
    index = local.year * 12 + local.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - WINDOW_MONTHS + 1, index + 1)]


def _bars(counted: list[Sale], keys: Callable[[Sale], Iterable[str]]) -> list[Bar]:
    """Money to producers by key (a sale may count under several keys, e.g. certifications), largest first."""
    value: dict[str, int] = defaultdict(int)
    organizations: dict[str, set[int]] = defaultdict(set)
    for sale in counted:
        for key in keys(sale):
            value[key] += sale.producer_share_cents
            organizations[key].add(sale.organization_id)
    return sorted(
        (Bar(key, value[key], len(organizations[key])) for key in value),
        key=lambda bar: (-bar.value_cents, bar.key),
    )


def _where_money_went(
    paid: int, producers: int, fees: int, costs: int, women: int, indigenous: int, institutional: int
) -> dict[str, int]:
    """The money figures of Impact, and the shares that follow from them (whichever way they were summed)."""
    return {
        "producer_share_cents": producers,
        "platform_fee_cents": fees,
        "payment_cost_cents": costs,
        "platform_net_cents": fees - costs,
        "producer_share_bps": share_bps(producers, paid),
        "platform_net_bps": share_bps(fees - costs, paid),
        "payment_cost_bps": share_bps(costs, paid),
        "women_led_cents": women,
        "women_led_bps": share_bps(women, producers),
        "indigenous_cents": indigenous,
        "indigenous_bps": share_bps(indigenous, producers),
        "institutional_cents": institutional,
        "consumer_cents": paid - institutional,
    }


def summarize(found: list[Sale], year: int | None = None, now: datetime | None = None) -> Impact:
    """The figures of every sale of `found` (all of them, or those of `year`)."""
    now = now or utcnow()
    chosen = in_year(found, year)
    # A part refunded in full moved no money to anyone; only the provider's charge for it remains.
    counted = [s for s in chosen if s.paid_cents > 0]
    months = _window(year, now)
    window = set(months)
    in_window = [s for s in counted if s.month in window]
    paid = sum(s.paid_cents for s in counted)
    producers = sum(s.producer_share_cents for s in counted)
    fees = sum(s.platform_fee_cents for s in counted)
    costs = sum(s.payment_cost_cents for s in chosen)
    women = sum(s.producer_share_cents for s in counted if s.women_led)
    indigenous = sum(s.producer_share_cents for s in counted if s.indigenous)
    institutional = sum(s.paid_cents for s in counted if s.institutional)
    return Impact(
        year=year,
        computed_at=now,
        years=sorted({int(s.month[:4]) for s in found}, reverse=True),
        months=months,
        sale_count=len(counted),
        gross_cents=sum(s.gross_cents for s in chosen),
        refunded_cents=sum(s.refunded_cents for s in chosen),
        paid_cents=paid,
        unpaid_cents=sum(s.unpaid_cents for s in chosen),
        unpaid_sales=sum(1 for s in chosen if s.unpaid_cents > 0),
        **_where_money_went(paid, producers, fees, costs, women, indigenous, institutional),
        organizations=len({s.organization_id for s in counted}),
        states=len({s.state for s in counted}),
        active_organizations=len({s.organization_id for s in in_window}),
        by_month=[
            Month(
                month,
                sum(s.producer_share_cents for s in in_window if s.month == month),
                len({s.organization_id for s in in_window if s.month == month}),
            )
            for month in months
        ],
        by_state=_bars(counted, lambda s: [s.state]),
        by_legal_form=_bars(counted, lambda s: [s.legal_form]),
        by_certification=_bars(counted, lambda s: s.certifications),
        by_sdg=_bars(counted, lambda s: [str(n) for n in s.sdgs]),
    )


def from_ledger(
    session: Session,
    settings: Settings,
    year: int | None = None,
    buyer_organization_id: int | None = None,
    now: datetime | None = None,
) -> Impact:
    """The figures computed sale by sale from the ledger: what the rollup must always equal."""
    return summarize(sales(session, settings, buyer_organization_id), year, now)


def _number(value: Any) -> int:
    return int(value or 0)  # PostgreSQL sums bigints as numeric; nothing to sum is NULL


def _sorted_bars(rows: Iterable[Any]) -> list[Bar]:
    bars = (Bar(str(row.key), _number(row.value), int(row.n)) for row in rows)
    return sorted(bars, key=lambda bar: (-bar.value_cents, bar.key))


def _listed_bars(session: Session, counted: Any) -> tuple[list[Bar], list[Bar]]:
    """The bars by certification and by SDG: a sale counts under each it lists. Summed in SQL by
    organization and list (rows bounded by organizations, not sales), split here."""
    R = ImpactRollup
    rows = session.execute(
        sa.select(col(R.organization_id), col(R.certifications), col(R.sdgs), func.sum(R.producer_cents))
        .where(counted)
        .group_by(col(R.organization_id), col(R.certifications), col(R.sdgs))
    ).all()
    found: list[list[Bar]] = []
    for index in (1, 2):
        value: dict[str, int] = defaultdict(int)
        organizations: dict[str, set[int]] = defaultdict(set)
        for row in rows:
            for key in split_list(row[index]):
                value[key] += _number(row[3])
                organizations[key].add(row[0])
        bars = (Bar(key, value[key], len(organizations[key])) for key in value)
        found.append(sorted(bars, key=lambda bar: (-bar.value_cents, bar.key)))
    return found[0], found[1]


def from_rollup(session: Session, year: int | None = None, now: datetime | None = None) -> Impact:
    """The public figures from the rollup (market.impact.rollup): three trips of GROUP BY queries over rows
    that grow with months and organizations, not with sales. Equal, to the cent, to `from_ledger`."""
    now = now or utcnow()
    R = ImpactRollup
    chosen = col(R.month).startswith(f"{year:04d}-") if year is not None else sa.true()
    counted = and_(chosen, col(R.counted) > 0)  # a part refunded in full moved no money to anyone
    months = _window(year, now)
    in_window = and_(counted, col(R.month).in_(months))

    def when(condition: Any, value: Any) -> Any:
        return func.sum(case((condition, value), else_=0))

    def distinct_counted(value: Any) -> Any:
        return func.count(sa.distinct(case((col(R.counted) > 0, value))))

    organizations = func.count(sa.distinct(col(R.organization_id)))
    totals = session.execute(
        sa.select(
            func.sum(R.counted).label("sale_count"),
            func.sum(R.gross_cents).label("gross"),
            func.sum(R.refunded_cents).label("refunded"),
            func.sum(R.paid_cents).label("paid"),
            func.sum(R.unpaid_cents).label("unpaid"),
            func.sum(R.unpaid_sales).label("unpaid_sales"),
            func.sum(R.producer_cents).label("producers"),
            func.sum(R.fee_cents).label("fees"),
            func.sum(R.cost_cents).label("costs"),
            when(R.women_led, R.producer_cents).label("women"),
            when(R.indigenous, R.producer_cents).label("indigenous"),
            when(R.institutional, R.paid_cents).label("institutional"),
            distinct_counted(R.organization_id).label("organizations"),
            distinct_counted(R.state).label("states"),
            sa.select(organizations).where(in_window).scalar_subquery().label("active"),
        ).where(chosen)
    ).one()

    # The years, then the money and organizations by month, state and legal form: one trip to the database.
    def grouped(table: str, key: Any, where: Any) -> sa.Select[Any]:
        return (
            sa.select(
                sa.literal_column(f"'{table}'").label("tabla"),
                key.label("key"),
                func.sum(R.producer_cents).label("value"),
                organizations.label("n"),
            )
            .where(where)
            .group_by(key)
        )

    year_of = func.substr(R.month, 1, 4)
    tables: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(
        sa.union_all(
            grouped("year", year_of, col(R.sales) > 0),
            grouped("month", col(R.month), in_window),
            grouped("state", col(R.state), counted),
            grouped("legal_form", col(R.legal_form), counted),
        )
    ):
        tables[row.tabla].append(row)
    years = [int(row.key) for row in tables["year"]]
    by_month = {row.key: (_number(row.value), int(row.n)) for row in tables["month"]}
    by_certification, by_sdg = _listed_bars(session, counted)
    paid, producers = _number(totals.paid), _number(totals.producers)
    fees, costs = _number(totals.fees), _number(totals.costs)
    women, indigenous = _number(totals.women), _number(totals.indigenous)
    institutional = _number(totals.institutional)
    return Impact(
        year=year,
        computed_at=now,
        years=sorted((int(y) for y in years), reverse=True),
        months=months,
        sale_count=_number(totals.sale_count),
        gross_cents=_number(totals.gross),
        refunded_cents=_number(totals.refunded),
        paid_cents=paid,
        unpaid_cents=_number(totals.unpaid),
        unpaid_sales=_number(totals.unpaid_sales),
        **_where_money_went(paid, producers, fees, costs, women, indigenous, institutional),
        organizations=_number(totals.organizations),
        states=_number(totals.states),
        active_organizations=_number(totals.active),
        by_month=[Month(month, *by_month.get(month, (0, 0))) for month in months],
        by_state=_sorted_bars(tables["state"]),
        by_legal_form=_sorted_bars(tables["legal_form"]),
        by_certification=by_certification,
        by_sdg=by_sdg,
    )


def impact(
    session: Session,
    settings: Settings,
    year: int | None = None,
    buyer_organization_id: int | None = None,
    now: datetime | None = None,
) -> Impact:
    """The public figures from the rollup; an institution's own from its sales in the ledger (bounded by
    its own purchases, and the rollup does not keep who bought)."""
    if buyer_organization_id is not None:
        return from_ledger(session, settings, year, buyer_organization_id, now)
    return from_rollup(session, year, now)


def institution_for(session: Session, user: User, slug: str) -> BuyerOrganization:
    """The institution whose report this is, for its members and administrators (to anyone else it does not
    exist, as its other pages)."""
    buyer = session.exec(select(BuyerOrganization).where(BuyerOrganization.slug == slug)).first()
    if buyer is None or not (user.is_admin or buyers.is_member(session, user, buyer)):
        raise NotFound()
    return buyer
