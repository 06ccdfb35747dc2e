"""The impact figures kept as running sums, so that the public page does not read the whole history.

Design: one `impact_rollup` row per month, organization and what the figures group by (the producer as it
was when it sold: state, legal form, women-led, indigenous, certifications, SDGs; and whether an
institution bought), holding sums in centavos and counts of sales (market.impact.models). The public
figures are a handful of GROUP BY queries over these rows (`service.from_rollup`): their number grows with
months x organizations, not with sales. Keeping a row per organization keeps COUNT(DISTINCT organization)
right; certifications and SDGs are lists, kept joined in the key and split after a GROUP BY by organization
and list.

Upkeep: every ledger posting that can change a sale (a payment, an invoice, a cash sale, a refund: see
`ledger.post`) goes through `tracking`, in the same transaction. It locks the order's row, computes the
order's sales from the ledger as the reference does (`service.sales` for that one order) before and after
the postings, and adds the difference to the rollup. So every rule of the reference holds by construction,
including the ones that move a sale between rows or change another part's figures: an unpaid invoice
counted apart until paid, then in the month it was paid; a part refunded in full is no longer counted
(only its payment cost remains); the provider's cost of an order shared among its parts by gross, the
largest taking the rounding (a later cash sale of another part re-shares it). The delta is upserted
(INSERT ... ON CONFLICT DO UPDATE SET x = x + delta) in key order, so concurrent sales of the same producer
and month add up instead of overwriting, without deadlocking on each other.

The payment cost is estimated with the rates of this process's settings when the sale is posted
(`PAYMENT_COST_RATES`): a change of rates applies to new sales; `rebuild` (`market impact-rebuild`)
recomputes the history with the current ones. A migration filled the table from the existing ledger the same
way. Tests compare the rollup with `service.from_ledger` after random sequences of sales, refunds and
payments (tests/impact/test_rollup.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from market.config import Settings
from market.impact import service
from market.impact.models import KEY, SUMS, ImpactRollup
from market.ledger.models import LedgerEntry
from market.orders.models import Order

Key = tuple[str, int, str, str, bool, bool, str, str, bool]
Sums = dict[Key, list[int]]
TRACKED_KINDS = (*service.SALE_KINDS, service.REFUND)  # postings that make or change a sale
REBUILD_ORDERS = 20_000  # orders read per query by `rebuild`
UPSERT_ROWS = 500  # rows per INSERT: under SQLite's limit of bound parameters


@cache
def process_settings() -> Settings:
    """The settings of this process's environment, whose payment cost rates price each sale when it is
    posted (the ledger's callers do not carry the settings)."""
    return Settings()


def key_of(sale: service.Sale) -> Key:
    return (
        sale.month,
        sale.organization_id,
        sale.state,
        sale.legal_form,
        sale.women_led,
        sale.indigenous,
        service.join_list(sale.certifications),
        service.join_list(sale.sdgs),
        sale.institutional,
    )


def figures_of(sale: service.Sale) -> list[int]:
    """What one sale adds to its row, in the order of models.SUMS. Paid, fee and producer share count only
    for a sale that moved money, as in `service.summarize`."""
    counted = sale.paid_cents > 0
    return [
        1,
        int(counted),
        int(sale.unpaid_cents > 0),
        sale.gross_cents,
        sale.refunded_cents,
        sale.paid_cents if counted else 0,
        sale.unpaid_cents,
        sale.platform_fee_cents if counted else 0,
        sale.producer_share_cents if counted else 0,
        sale.payment_cost_cents,
    ]


def sums_of(sales: Iterable[service.Sale], into: Sums | None = None) -> Sums:
    sums: Sums = into if into is not None else defaultdict(lambda: [0] * len(SUMS))
    for sale in sales:
        row = sums[key_of(sale)]
        for i, value in enumerate(figures_of(sale)):
            row[i] += value
    return sums


def difference(before: Sums, after: Sums) -> Sums:
    """after - before, rows that did not change left out."""
    delta: Sums = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key, [0] * len(SUMS)), after.get(key, [0] * len(SUMS))
        change = [n - o for n, o in zip(new, old, strict=True)]
        if any(change):
            delta[key] = change
    return delta


def add(session: Session, delta: Sums) -> None:
    """Add `delta` to the rollup, row by row in key order (so that two transactions lock rows in the same
    order), creating the rows it lacks."""
    if not delta:
        return
    statement = _upsert(session.get_bind().dialect.name)
    keys = sorted(delta)
    for start in range(0, len(keys), UPSERT_ROWS):
        rows = [
            dict(zip(KEY, key, strict=True)) | dict(zip(SUMS, delta[key], strict=True))
            for key in keys[start : start + UPSERT_ROWS]
        ]
        session.execute(statement, rows)


@cache
def _upsert(dialect: str) -> sa.Insert:
    """One row's upsert, its values bound at execution: compiled once per process, not once per sale (a
    statement with its values inlined has no cache key)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ImpactRollup.__table__  # type: ignore[attr-defined]
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in KEY],
        set_={name: table.c[name] + statement.excluded[name] for name in SUMS},
    )


def order_sums(session: Session, settings: Settings, order_id: int) -> Sums:
    return sums_of(service.iter_sales(session, settings, orders=(order_id, order_id)))


@contextmanager
def tracking(session: Session, kind: str, order_id: int | None) -> Iterator[None]:
    """Around the postings of one ledger transaction: the rollup follows what they change of the order's
    sales. The order's row is locked first, so that two transactions changing the same order's sales
    (a refund while the invoice is paid) see each other's postings and count each change once."""
    if order_id is None or kind not in TRACKED_KINDS:
        yield
        return
    settings = process_settings()
    session.execute(select(Order.id).where(col(Order.id) == order_id).with_for_update())
    # An order without a sale posting yet (its first payment, the common case) has no sales to subtract:
    # one indexed look instead of computing them.
    sold = session.exec(
        select(LedgerEntry.id)
        .where(LedgerEntry.order_id == order_id, col(LedgerEntry.kind).in_(service.SALE_KINDS))
        .limit(1)
    ).first()
    before = order_sums(session, settings, order_id) if sold is not None else {}
    yield
    session.flush()
    add(session, difference(before, order_sums(session, settings, order_id)))


def rebuild(session: Session, settings: Settings) -> int:
    """The rollup recomputed from the whole ledger (after a change of payment cost rates; the migration
    that created it): the sales are read in chunks of orders, the sums kept by row. Returns the rows."""
    if session.get_bind().dialect.name == "postgresql":  # postings meanwhile wait, then add their change
        session.execute(sa.text("LOCK TABLE impact_rollup IN EXCLUSIVE MODE"))
    session.execute(delete(ImpactRollup))
    sums: Sums = defaultdict(lambda: [0] * len(SUMS))
    last = session.execute(sa.select(sa.func.max(Order.id))).scalar() or 0
    for first in range(1, last + 1, REBUILD_ORDERS):
        sums_of(service.iter_sales(session, settings, orders=(first, first + REBUILD_ORDERS - 1)), sums)
    add(session, {key: row for key, row in sums.items() if any(row)})
    return len(sums)
