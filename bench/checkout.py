"""Checkout benchmark: N concurrent buyers checking out against a catalog of popular listings, some of
them with scarce stock, on PostgreSQL; then an audit of stock and ledger from the database.

    .venv/bin/python bench/checkout.py [--buyers 50] [--seconds 60] [--listings 20] [--races 0.1]
                                       [--workers CORES] [--no-direct]

It starts what it needs (a fresh database `bench_checkout_<pid>` on the local PostgreSQL, `market serve
--no-worker`), removes all of it at the end (also on Ctrl-C or a failure), prints progress to stderr and,
as the last stdout line, one JSON object of figures. `errors`, `oversold_units`, `stock_mismatches`,
`ledger_imbalance_cents`, `ledger_cash_mismatch_cents`, `fulfillment_state_mismatches` and
`lost_cancellations` must all be 0 (bench/README.md says what each one checks).

Then, unless `--no-direct`, the direct baseline: a second database built alike (`bench_checkout_direct_
<pid>`), and as many buyers for as long sending the app's transactions as plain SQL straight to PostgreSQL
(`DirectBuyer`): `direct_orders_per_s`, `direct_ratio` (app / direct) and the same audit, `direct_*`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where search.py would shadow the app's `search`
# package: the checkout's root takes its place, so that `bench.common`, `market` and `search` are the code
# of this checkout, whatever the venv's editable install points to.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter, defaultdict, deque  # noqa: E402
from collections.abc import Callable  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import psycopg  # noqa: E402
from psycopg.rows import namedtuple_row  # noqa: E402
from psycopg.types.json import Json  # noqa: E402
from sqlalchemy import and_, func, or_  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from bench.common import (  # noqa: E402
    Server,
    app_env,
    fresh_database,
    log,
    percentile,
    run_and_report,
    serve,
)
from market.money import apply_bps  # noqa: E402
from market.organizations.models import VerificationStatus  # noqa: E402

PASSWORD = "bench-checkout-contraseña-1"
ADMIN_EMAIL = "admin@bench.tianguis.demo"
RELEASED = ("cancelled", "rejected")  # fulfillment states whose units went back to stock
SOLD_OUT_CODES = ("sold_out", "insufficient_stock")  # the expected 409s of a checkout
# The expected 409s of a payment racing a cancellation: the loser read the order before the winner wrote.
RACE_CODES = ("invalid_transition", "changed_meanwhile")
PLENTIFUL_STOCK = 1_000_000
LISTINGS_PER_ORGANIZATION = 4  # several producers, so that an order often has several parts
SAMPLE_ERRORS = 5  # failed requests shown in full on stderr

# What a buyer does with an order just created (the rest stay unpaid, holding their stock).
PAY = 0.35  # the administrator confirms the SPEI transfer
CANCEL = 0.20  # the buyer cancels every part before paying: the stock returns
PAY_THEN_CANCEL = 0.10  # paid, then the buyer cancels one producer's part: stock returns, refund posted
# The app refuses a checkout (409 too_many_unpaid_orders) to a buyer holding this many unpaid orders: the
# default of its setting MAX_UNPAID_ORDERS (Settings.max_unpaid_orders). The buyers cancel first.
MAX_UNPAID_ORDERS = 5


def http_client(base_url: str, token: str | None = None) -> httpx.Client:
    """One kept-alive connection per client, with TCP_NODELAY (as a browser or an API client would). It is
    dropped after 2 s idle, before uvicorn closes it (5 s): a request sent on a connection the server is
    closing fails with a ReadError that says nothing about the app."""
    transport = httpx.HTTPTransport(
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)], limits=httpx.Limits(keepalive_expiry=2)
    )
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return httpx.Client(base_url=base_url, headers=headers, timeout=60, transport=transport)


# --- processes ------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process and its running children (the app processes of
    `--workers N` under uvicorn's supervisor), from /proc (0 where there is no /proc)."""
    total = 0.0
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total += sum(cpu_seconds(int(child)) for child in children)
    return total


def process_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def tracebacks(path: Path) -> tuple[str, Counter[str]]:
    """The app log's first traceback in full (with the log line before it), and how many tracebacks end
    with each exception line."""
    first, endings = "", Counter[str]()
    with contextlib.suppress(OSError):
        lines = path.read_text(errors="replace").splitlines()
        i = 0
        while i < len(lines):
            if lines[i].startswith("Traceback"):
                end = i + 1
                while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
                    end += 1
                first = first or "\n".join(lines[max(0, i - 1) : end + 1])
                endings[lines[end] if end < len(lines) else "?"] += 1
                i = end
            i += 1
    return first, endings


def app_server(
    database_url: str, workdir: Path, log_path: Path, workers: int
) -> contextlib.AbstractContextManager[Server]:
    """`market serve --no-worker --workers N` with embedded search (no MEILI_*), no Stripe, its files in the
    temp dir."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MEILI_", "STRIPE_"))}
    env = app_env(database_url, workdir, base) | {"ENVIRONMENT": "development"}
    return serve(env, log_path, cwd=workdir, workers=workers)


# --- the catalog ----------------------------------------------------------------------------------


@dataclass
class Catalog:
    initial_stock: dict[int, int]  # listing id -> units at the start
    scarce: list[int]
    buyer_emails: list[str]


LISTING_KINDS: list[tuple[str, str, str, int]] = [  # title, category, unit, price
    ("Café de altura tostado en grano", "cafe", "kg", 32000),
    ("Miel multifloral de la selva", "miel", "kg", 18000),
    ("Chocolate de metate 70 %", "cacao-chocolate", "pieza", 9500),
    ("Café verde pergamino", "cafe", "kg", 21000),
    ("Miel melipona en frasco", "miel", "pieza", 26000),
]


def build_catalog(database_url: str, listings: int, buyers: int, rng: random.Random) -> Catalog:
    """Migrations, verified organizations with active listings (every third one scarce: 5-30 units; the
    plentiful ones alternate with volume tiers), the buyers and one administrator, all with the services."""
    import market.models  # noqa: F401  (every table, for the relationships)
    from market.accounts.schemas import Registration
    from market.accounts.service import register
    from market.catalog.schemas import ListingCreate, TierIn
    from market.catalog.service import add_listing
    from market.db import make_engine, transaction, utcnow
    from market.migrate import upgrade
    from market.organizations.models import Membership, Organization
    from market.organizations.schemas import OrganizationCreate

    upgrade(database_url)
    engine = make_engine(database_url)
    initial: dict[int, int] = {}
    scarce: list[int] = []
    emails = [f"comprador-{n}@bench.tianguis.demo" for n in range(buyers)]
    try:
        with transaction(engine) as session:
            account = Registration(name="Equipo Tianguis", email=ADMIN_EMAIL, password=PASSWORD)
            register(session, account, is_admin=True, confirmed=True)
            producer = Registration(
                name="Coordinación productora", email="productora@bench.tianguis.demo", password=PASSWORD
            )
            owner = register(session, producer, confirmed=True)
            organizations = []
            for n in range(max(1, listings // LISTINGS_PER_ORGANIZATION)):
                data = OrganizationCreate(
                    name=f"Cooperativa de Prueba {n + 1}",
                    legal_form="coop_produccion",
                    state="07",
                    municipality="Chenalhó",
                    members_count=120,
                    women_members_count=60,
                )
                organization = Organization(
                    slug=f"cooperativa-de-prueba-{n + 1}",
                    verification_status=VerificationStatus.VERIFIED,
                    verified_at=utcnow(),
                    **data.model_dump(),
                )
                session.add(organization)
                session.flush()
                assert organization.id is not None and owner.id is not None
                session.add(Membership(user_id=owner.id, organization_id=organization.id, role="owner"))
                organizations.append(organization)
            for n in range(listings):
                title, category, unit, price = LISTING_KINDS[n % len(LISTING_KINDS)]
                is_scarce = n % 3 == 0
                stock = rng.randint(5, 30) if is_scarce else PLENTIFUL_STOCK
                tiers = [TierIn(min_quantity=3, unit_price_cents=price * 9 // 10)]
                if is_scarce or n % 2:
                    tiers = []
                listing = add_listing(
                    session,
                    organizations[n % len(organizations)],
                    ListingCreate(
                        title=f"{title} (lote {n + 1})",
                        description="Para la prueba de carga del checkout.",
                        category=category,
                        unit=unit,
                        price_cents=price,
                        stock=stock,
                        status="active",
                        tiers=tiers,
                    ),
                )
                assert listing.id is not None
                initial[listing.id] = stock
                if is_scarce:
                    scarce.append(listing.id)
            for n, email in enumerate(emails):
                account = Registration(name=f"Compradora {n}", email=email, password=PASSWORD)
                register(session, account, confirmed=True)
    finally:
        engine.dispose()
    return Catalog(initial, scarce, emails)


def issue_tokens(app_url: str, emails: list[str]) -> list[str]:
    """An API token per account, through POST /api/v1/auth/tokens as a real client gets one."""

    def issue(email: str) -> str:
        with http_client(app_url) as client:
            response = client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
            if response.status_code != 201:
                raise RuntimeError(f"token for {email}: {response.status_code} {response.text}")
            return str(response.json()["token"])

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(issue, emails))


# --- the buyers -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one buyer saw; merged at the end (each thread has its own, so nothing is shared)."""

    checkout_ms: list[float] = field(default_factory=list)  # 201s only
    sold_out_ms: list[float] = field(default_factory=list)
    pay_ms: list[float] = field(default_factory=list)
    cancel_ms: list[float] = field(default_factory=list)
    orders: int = 0
    sold_out: int = 0
    paid: int = 0
    cancelled: int = 0  # fulfillments the buyer cancelled
    refunded: int = 0  # of which, after payment
    races: int = 0
    race_conflicts: int = 0  # a payment or a cancellation refused (409) because the other won the race
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)

    def error(self, what: str, request: dict[str, Any] | None, outcome: str, detail: str) -> None:
        self.errors[f"{what}: {outcome}"] += 1
        if len(self.samples) < SAMPLE_ERRORS:
            self.samples.append(f"{what} {json.dumps(request)} -> {outcome} {detail[:2000]}")

    def merge(self, other: Tally) -> None:
        for name in ("checkout_ms", "sold_out_ms", "pay_ms", "cancel_ms", "samples"):
            getattr(self, name).extend(getattr(other, name))
        for name in ("orders", "sold_out", "paid", "cancelled", "refunded", "races", "race_conflicts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.update(other.errors)
        self.samples = self.samples[:SAMPLE_ERRORS]


def error_code(response: httpx.Response) -> str:
    with contextlib.suppress(ValueError, AttributeError):
        return str(response.json().get("error", ""))
    return ""


class Buyer:
    """What a buyer does, whichever way its requests travel (`ApiBuyer`: the app's JSON API; `DirectBuyer`:
    the same transactions as plain SQL): check out, then pay, cancel or leave the order unpaid. Like a person
    the app refuses with `too_many_unpaid_orders`, it cancels its oldest unpaid order before holding more
    than `MAX_UNPAID_ORDERS`."""

    def __init__(self, listing_ids: list[int], races: float, seed: int) -> None:
        self.listing_ids = listing_ids
        self.rng = random.Random(seed)
        self.races = races
        self.tally = Tally()
        self.unpaid: deque[dict[str, Any]] = deque()  # orders left awaiting payment, oldest first

    # the requests: one transaction each
    def checkout(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def pay(self, order: dict[str, Any], racing: bool = False, tally: Tally | None = None) -> bool:
        raise NotImplementedError

    def cancel(self, fulfillment: dict[str, Any], racing: bool = False) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def items(self) -> list[dict[str, int]]:
        chosen = self.rng.sample(self.listing_ids, self.rng.randint(1, min(3, len(self.listing_ids))))
        return [{"listing_id": i, "quantity": self.rng.randint(1, 3)} for i in chosen]

    def race(self, order: dict[str, Any]) -> None:
        """The administrator confirms the payment while the buyer cancels one part of the same order."""
        self.tally.races += 1
        target = self.rng.choice(order["fulfillments"])
        payer_tally, paid = Tally(), []
        payer = threading.Thread(target=lambda: paid.append(self.pay(order, True, payer_tally)))
        payer.start()
        cancelled = self.cancel(target, racing=True)
        payer.join()
        self.tally.merge(payer_tally)
        if not paid[0]:  # the cancellation won, or the payment failed: the rest still awaits payment
            self.left_unpaid(order, [f for f in order["fulfillments"] if not (cancelled and f is target)])

    def follow_up(self, order: dict[str, Any]) -> None:
        roll = self.rng.random()
        if roll < self.races:
            self.race(order)
        elif (roll := roll - self.races) < PAY:
            if not self.pay(order):
                self.left_unpaid(order)
        elif (roll := roll - PAY) < CANCEL:
            self.left_unpaid(order, [f for f in order["fulfillments"] if not self.cancel(f)])
        elif roll - CANCEL < PAY_THEN_CANCEL:
            if self.pay(order):
                self.cancel(self.rng.choice(order["fulfillments"]))
            else:
                self.left_unpaid(order)
        else:
            self.left_unpaid(order)

    def left_unpaid(self, order: dict[str, Any], parts: list[dict[str, Any]] | None = None) -> None:
        """Remember an order still awaiting payment with these parts (default: all of them) not cancelled."""
        parts = order["fulfillments"] if parts is None else parts
        if parts:
            self.unpaid.append(order | {"fulfillments": parts})

    def make_room(self) -> None:
        """At the limit, cancel every part of the oldest unpaid order, as the app's refusal asks."""
        while len(self.unpaid) >= MAX_UNPAID_ORDERS:
            for fulfillment in self.unpaid.popleft()["fulfillments"]:
                self.cancel(fulfillment)

    def run(self, deadline: float, stop: threading.Event) -> None:
        while time.monotonic() < deadline and not stop.is_set():
            self.make_room()
            if order := self.checkout():
                self.follow_up(order)


class ApiBuyer(Buyer):
    """A buyer of the app's JSON API, with its own kept-alive connection, and the administrator's."""

    def __init__(
        self, app_url: str, token: str, admin_token: str, listing_ids: list[int], races: float, seed: int
    ) -> None:
        super().__init__(listing_ids, races, seed)
        self.client = http_client(app_url, token)
        self.admin = http_client(app_url, admin_token)

    def close(self) -> None:
        self.client.close()
        self.admin.close()

    def send(
        self, tally: Tally, what: str, client: httpx.Client, path: str, body: dict[str, Any]
    ) -> httpx.Response | None:
        try:
            return client.post(path, json=body)
        except httpx.HTTPError as exc:
            tally.error(what, {"path": path} | body, type(exc).__name__, str(exc))
            return None

    def checkout(self) -> dict[str, Any] | None:
        body = {"items": self.items(), "payment_method": "spei_transfer"}
        started = time.perf_counter()
        response = self.send(self.tally, "checkout", self.client, "/api/v1/orders", body)
        ms = (time.perf_counter() - started) * 1000
        if response is None:
            return None
        if response.status_code == 201:
            self.tally.orders += 1
            self.tally.checkout_ms.append(ms)
            return dict(response.json())
        if response.status_code == 409 and error_code(response) in SOLD_OUT_CODES:
            self.tally.sold_out += 1
            self.tally.sold_out_ms.append(ms)
            return None
        self.tally.error("checkout", body, str(response.status_code), response.text)
        return None

    def pay(self, order: dict[str, Any], racing: bool = False, tally: Tally | None = None) -> bool:
        """The administrator matches the buyer's SPEI transfer (`tally`: the racing thread's own)."""
        tally = tally or self.tally
        path, body = f"/api/v1/orders/{order['id']}/offline-payment", {"reference": f"SPEI{order['id']:08d}"}
        started = time.perf_counter()
        response = self.send(tally, "offline-payment", self.admin, path, body)
        if response is None:
            return False
        if response.status_code == 200:
            tally.pay_ms.append((time.perf_counter() - started) * 1000)
            tally.paid += 1
            return True
        if racing and response.status_code == 409 and error_code(response) in RACE_CODES:
            tally.race_conflicts += 1
            return False
        tally.error("offline-payment", {"path": path} | body, str(response.status_code), response.text)
        return False

    def cancel(self, fulfillment: dict[str, Any], racing: bool = False) -> bool:
        """The buyer cancels one producer's part of the order (a refund if the order was paid)."""
        path, body = f"/api/v1/fulfillments/{fulfillment['id']}/moves", {"status": "cancelled"}
        started = time.perf_counter()
        response = self.send(self.tally, "cancel", self.client, path, body)
        if response is None:
            return False
        if response.status_code == 200:
            self.tally.cancel_ms.append((time.perf_counter() - started) * 1000)
            self.tally.cancelled += 1
            self.tally.refunded += response.json()["status"] == "paid"
            return True
        if racing and response.status_code == 409 and error_code(response) in RACE_CODES:
            self.tally.race_conflicts += 1
            return False
        self.tally.error("cancel", {"path": path} | body, str(response.status_code), response.text)
        return False


def run_buyers(buyers: list[Buyer], seconds: float) -> Tally:
    """Every buyer in its own thread for `seconds`; what they saw, merged."""
    stop = threading.Event()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=b.run, args=(deadline, stop), name=f"buyer-{n}", daemon=True)
        for n, b in enumerate(buyers)
    ]
    try:
        for thread in threads:
            thread.start()
        next_report = time.monotonic() + 10
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
            if time.monotonic() >= next_report:
                next_report += 10
                orders = sum(b.tally.orders for b in buyers)
                sold_out = sum(b.tally.sold_out for b in buyers)
                errors = sum(sum(b.tally.errors.values()) for b in buyers)
                log(f"{orders} orders, {sold_out} sold out, {errors} errors")
    finally:
        stop.set()
        for thread in threads:
            thread.join(70)  # a request in flight ends within the client's timeout
        for buyer in buyers:
            buyer.close()
    total = Tally()
    for buyer in buyers:
        total.merge(buyer.tally)
    return total


# --- the audit ------------------------------------------------------------------------------------


def audit(database_url: str, initial: dict[int, int]) -> dict[str, Any]:
    """Stock and money as the database has them after the run."""
    import market.models  # noqa: F401
    from market.catalog.models import Listing
    from market.db import make_engine
    from market.ledger import service as ledger
    from market.ledger.models import LedgerEntry
    from market.orders.models import Fulfillment, FulfillmentEvent, Order, OrderLine

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            stock = {i: s for i, s in session.exec(select(Listing.id, Listing.stock)) if i is not None}
            held_rows = session.exec(
                select(OrderLine.listing_id, func.sum(OrderLine.quantity))
                .join(Fulfillment, col(Fulfillment.id) == OrderLine.fulfillment_id)
                .where(col(Fulfillment.status).not_in(RELEASED))
                .group_by(col(OrderLine.listing_id))
            ).all()
            held = {listing_id: int(units) for listing_id, units in held_rows}
            oversold = sum(max(0, held.get(i, 0) - initial[i]) + max(0, -(stock[i] or 0)) for i in initial)
            mismatched = [i for i in initial if (stock[i] or 0) + held.get(i, 0) != initial[i]]
            for i in mismatched[:10]:
                log(f"listing {i}: initial {initial[i]}, stock {stock[i]}, held by orders {held.get(i, 0)}")
            cash = session.exec(
                select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                    LedgerEntry.account == "cash"
                )
            ).one()
            # the buyers' money the platform holds: the live parts of paid orders, nothing else
            owed_to_buyers = session.exec(
                select(func.coalesce(func.sum(Fulfillment.subtotal_cents + Fulfillment.delivery_cents), 0))
                .join(Order, col(Order.id) == Fulfillment.order_id)
                .where(Order.status == "paid", col(Fulfillment.status).not_in(RELEASED))
            ).one()
            # a paid order has no part still awaiting payment; an unpaid one has no part past it
            inconsistent = session.exec(
                select(func.count())
                .select_from(Fulfillment)
                .join(Order, col(Order.id) == Fulfillment.order_id)
                .where(
                    or_(
                        and_(col(Order.status) == "paid", col(Fulfillment.status) == "awaiting_payment"),
                        and_(
                            col(Order.status) == "awaiting_payment",
                            col(Fulfillment.status).not_in(("awaiting_payment", *RELEASED)),
                        ),
                    )
                )
            ).one()
            # a fulfillment the buyer cancelled (its units went back) that is live again: a lost update
            cancelled_once = select(FulfillmentEvent.fulfillment_id).where(
                FulfillmentEvent.to_status == "cancelled"
            )
            lost = session.exec(
                select(Fulfillment.id)
                .where(col(Fulfillment.status).not_in(RELEASED), col(Fulfillment.id).in_(cancelled_once))
                .order_by(col(Fulfillment.id))
            ).all()
            for fulfillment_id in lost[:3]:
                events = session.exec(
                    select(FulfillmentEvent)
                    .where(FulfillmentEvent.fulfillment_id == fulfillment_id)
                    .order_by(col(FulfillmentEvent.id))
                ).all()
                steps = ", ".join(
                    f"{e.from_status}->{e.to_status} by user {e.actor_id} at {e.created_at:%H:%M:%S.%f}"
                    for e in events
                )
                log(f"fulfillment {fulfillment_id} was cancelled but is live again: {steps}")
            orders_db = session.exec(select(func.count()).select_from(Order)).one()
            paid_db = session.exec(
                select(func.count()).select_from(Order).where(Order.status == "paid")
            ).one()
            return {
                "oversold_units": oversold,
                "stock_mismatches": len(mismatched),
                "ledger_imbalance_cents": ledger.imbalance(session),
                "ledger_cash_mismatch_cents": int(cash) - int(owed_to_buyers),
                "fulfillment_state_mismatches": int(inconsistent),
                "lost_cancellations": len(lost),
                "orders_in_db": int(orders_db),
                "paid_in_db": int(paid_db),
                "scarce_units_left": sum(stock[i] or 0 for i in initial if initial[i] < PLENTIFUL_STOCK),
            }
    finally:
        engine.dispose()


# --- the direct baseline --------------------------------------------------------------------------
# The same transactions sent straight to PostgreSQL with psycopg, one connection per buyer: what this
# database on this machine allows at most, without the app (HTTP, Python, SQLAlchemy, its other statements).

AUTH = """SELECT u.id, u.email, u.is_admin FROM apitoken t JOIN "user" u ON u.id = t.user_id
WHERE t.token_hash = %s AND t.expires_at > now() AND u.is_active"""
LOCK_BUYER = 'UPDATE "user" SET id = id WHERE id = %s'
UNPAID_ORDERS = """SELECT count(*) FROM orders WHERE buyer_id = %s AND (status = 'awaiting_payment'
OR status = 'pay_at_pickup'
AND id IN (SELECT order_id FROM fulfillment WHERE status = 'pending_acceptance'))"""
LISTINGS = """SELECT l.id, l.organization_id, l.title, l.unit, l.price_cents, l.stock, l.minimum_order,
(l.status = 'active' AND NOT l.suspended AND o.verification_status = 'verified' AND NOT o.suspended)
AS for_sale,
o.state, o.legal_form, o.members_count, o.women_members_count, o.indigenous_community,
o.certifications, o.sdgs
FROM listing l JOIN organization o ON o.id = l.organization_id WHERE l.id = ANY(%s)"""
TIERS = "SELECT listing_id, min_quantity, unit_price_cents FROM pricetier WHERE listing_id = ANY(%s)"
RESERVE = """UPDATE listing SET stock = stock - %(quantity)s, updated_at = now()
WHERE id = %(id)s AND stock >= %(quantity)s AND status = 'active'"""
INSERT_ORDER = """INSERT INTO orders (buyer_id, status, payment_method, subtotal_cents, delivery_cents,
total_cents, platform_fee_cents, reserved_until, created_at)
VALUES (%s, 'awaiting_payment', 'spei_transfer', %s, 0, %s, %s, now() + interval '3 days', now())
RETURNING id"""
INSERT_FULFILLMENT = """INSERT INTO fulfillment (order_id, organization_id, status, delivery_method,
subtotal_cents, delivery_cents, platform_fee_cents, producer_state, producer_legal_form, producer_women_led,
producer_indigenous, producer_certifications, producer_sdgs, created_at, updated_at)
VALUES (%s, %s, 'awaiting_payment', 'pickup', %s, 0, %s, %s, %s, %s, %s, %s, %s, now(), now()) RETURNING id"""
INSERT_EVENT = """INSERT INTO fulfillmentevent (fulfillment_id, from_status, to_status, actor_id, note,
created_at) VALUES (%s, %s, %s, %s, %s, now())"""
INSERT_LINE = """INSERT INTO orderline (fulfillment_id, listing_id, title, unit, unit_price_cents, quantity,
total_cents) VALUES (%s, %s, %s, %s, %s, %s, %s)"""
INSERT_EMAIL = """INSERT INTO email (message_id, kind, user_id, to_address, locale, context, status,
created_at, available_at, tries, rejections)
VALUES (%s, 'order_placed', %s, %s, 'es_MX', %s, 'queued', now(), now(), 0, 0)"""
INSERT_OUTBOX = """INSERT INTO outboxevent (topic, payload, created_at, available_at, attempts)
VALUES ('search', %s, now(), now(), 0)"""
LOCK_ORDER = "SELECT status FROM orders WHERE id = %s FOR UPDATE"
MARK_PAID = """UPDATE orders SET status = 'paid', reserved_until = NULL
WHERE id = %s AND status = 'awaiting_payment'"""
PARTS_PAID = """UPDATE fulfillment SET status = 'pending_acceptance', updated_at = now()
WHERE order_id = %s AND status = 'awaiting_payment'
RETURNING id, organization_id, subtotal_cents + delivery_cents AS gross, platform_fee_cents, producer_state,
producer_legal_form, producer_women_led, producer_indigenous, producer_certifications, producer_sdgs"""
INSERT_POSTING = """INSERT INTO ledgerentry (transaction_id, kind, account, organization_id, order_id,
amount_cents, reference, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, now())"""
ROLLUP_KEY = (
    "month, organization_id, state, legal_form, women_led, indigenous, certifications, sdgs, institutional"
)
ADD_TO_ROLLUP = f"""INSERT INTO impact_rollup ({ROLLUP_KEY}, sales, counted, unpaid_sales, gross_cents,
refunded_cents, paid_cents, unpaid_cents, fee_cents, producer_cents, cost_cents)
VALUES (to_char(now() AT TIME ZONE 'America/Mexico_City', 'YYYY-MM'), %s, %s, %s, %s, %s, %s, %s, false,
%s, %s, 0, %s, %s, %s, 0, %s, %s, 0)
ON CONFLICT ({ROLLUP_KEY}) DO UPDATE SET sales = impact_rollup.sales + excluded.sales,
counted = impact_rollup.counted + excluded.counted,
gross_cents = impact_rollup.gross_cents + excluded.gross_cents,
refunded_cents = impact_rollup.refunded_cents + excluded.refunded_cents,
paid_cents = impact_rollup.paid_cents + excluded.paid_cents,
fee_cents = impact_rollup.fee_cents + excluded.fee_cents,
producer_cents = impact_rollup.producer_cents + excluded.producer_cents"""
PART = """SELECT f.status, f.order_id, o.status AS order_status, f.organization_id,
f.subtotal_cents + f.delivery_cents AS gross,
f.platform_fee_cents, f.producer_state, f.producer_legal_form, f.producer_women_led, f.producer_indigenous,
f.producer_certifications, f.producer_sdgs FROM fulfillment f JOIN orders o ON o.id = f.order_id
WHERE f.id = %s AND o.buyer_id = %s"""
HOLD_ORDER = "UPDATE orders SET status = status WHERE id = %s AND status = %s"
MOVE_PART = "UPDATE fulfillment SET status = %s, updated_at = now() WHERE id = %s AND status = %s"
LINES = "SELECT listing_id, quantity FROM orderline WHERE fulfillment_id = %s ORDER BY listing_id"
RESTOCK = "UPDATE listing SET stock = stock + %s, updated_at = now() WHERE id = %s AND stock IS NOT NULL"
CANCEL_IF_NOTHING_LEFT = """UPDATE orders SET status = 'cancelled' WHERE id = %s
AND status = 'awaiting_payment'
AND NOT EXISTS (SELECT 1 FROM fulfillment WHERE order_id = %s AND status = 'awaiting_payment')"""
PLATFORM_FEE_BPS = 800  # the app's default (Settings.platform_fee_bps)
BUYER_MAY_CANCEL = ("awaiting_payment", "pending_acceptance")


class Refused(Exception):
    """A request the app would answer with a 4xx (`code`: its error code): the transaction is rolled back."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()  # as market.accounts.tokens stores it


def direct_tokens(database_url: str, emails: list[str]) -> list[str]:
    """An API token per account, written straight into `apitoken` (hashed as the app hashes them)."""
    tokens = [f"tsb_{secrets.token_urlsafe(32)}" for _ in emails]
    with psycopg.connect(libpq_url(database_url)) as conn:
        conn.cursor().executemany(
            """INSERT INTO apitoken (user_id, name, token_hash, created_at, expires_at)
            SELECT id, 'bench', %s, now(), now() + interval '1 day' FROM "user" WHERE email = %s""",
            [(token_hash(token), email) for token, email in zip(tokens, emails, strict=True)],
        )
    return tokens


def libpq_url(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


class DirectBuyer(Buyer):
    """A buyer whose requests are the app's transactions as plain SQL, one transaction per request, on its
    own connection (the administrator's payments too, with the administrator's token). A race is not one
    here: the payment, then the cancellation of one part, one after the other."""

    def __init__(
        self, database_url: str, token: str, admin_token: str, listing_ids: list[int], races: float, seed: int
    ) -> None:
        super().__init__(listing_ids, races, seed)
        # autocommit off: COMMIT ends each request; rows as named tuples
        self.conn = psycopg.connect(libpq_url(database_url), row_factory=namedtuple_row)
        self.token_hash, self.admin_token_hash = token_hash(token), token_hash(admin_token)

    def close(self) -> None:
        self.conn.close()

    def request(self, what: str, body: dict[str, Any], work: Callable[[psycopg.Cursor[Any]], Any]) -> Any:
        """`work` in one transaction, committed; rolled back on a refusal (raised) or an error (tallied)."""
        try:
            with self.conn.cursor() as cursor:
                result = work(cursor)
            self.conn.commit()
            return result
        except Refused:
            self.conn.rollback()
            raise
        except psycopg.Error as exc:
            self.conn.rollback()
            self.tally.error(what, body, type(exc).__name__, str(exc))
            return None

    def user(self, cursor: psycopg.Cursor[Any], hashed: str) -> tuple[int, str, bool]:
        row = cursor.execute(AUTH, (hashed,)).fetchone()
        if row is None:
            raise Refused("unauthorized")
        return row

    # -- checkout --

    def checkout(self) -> dict[str, Any] | None:
        items = self.items()
        started = time.perf_counter()
        try:
            order = self.request("checkout", {"items": items}, lambda cursor: self.place(cursor, items))
        except Refused as refusal:
            if refusal.code in SOLD_OUT_CODES:
                self.tally.sold_out += 1
                self.tally.sold_out_ms.append((time.perf_counter() - started) * 1000)
            else:
                self.tally.error("checkout", {"items": items}, "409", refusal.code)
            return None
        if order is not None:
            self.tally.orders += 1
            self.tally.checkout_ms.append((time.perf_counter() - started) * 1000)
        return order

    def place(self, cursor: psycopg.Cursor[Any], items: list[dict[str, int]]) -> dict[str, Any]:
        buyer_id, email, _admin = self.user(cursor, self.token_hash)
        cursor.execute(LOCK_BUYER, (buyer_id,))
        if cursor.execute(UNPAID_ORDERS, (buyer_id,)).fetchone()[0] >= MAX_UNPAID_ORDERS:  # type: ignore[index]
            raise Refused("too_many_unpaid_orders")
        ids = [item["listing_id"] for item in items]
        listings = {row[0]: row for row in cursor.execute(LISTINGS, (ids,))}
        tiers = defaultdict(list)
        for listing_id, min_quantity, unit_price_cents in cursor.execute(TIERS, (ids,)):
            tiers[listing_id].append((min_quantity, unit_price_cents))
        by_org: dict[int, list[tuple[Any, ...]]] = defaultdict(list)  # (listing row, quantity, unit price)
        for item in items:
            listing = listings.get(item["listing_id"])
            if listing is None or not listing.for_sale:
                raise Refused("not_found")
            if item["quantity"] < listing.minimum_order:
                raise Refused("validation_failed")
            reached = [price for least, price in tiers[listing.id] if least <= item["quantity"]]
            by_org[listing.organization_id].append(
                (listing, item["quantity"], min(reached, default=listing.price_cents))
            )
        for item in items:  # refused as read (None: made to order); the UPDATE below decides
            stock = listings[item["listing_id"]].stock
            if stock is not None and stock < item["quantity"]:
                raise Refused("sold_out" if stock == 0 else "insufficient_stock")
        subtotals = {org: sum(q * price for _l, q, price in lines) for org, lines in by_org.items()}
        fees = {org: apply_bps(subtotal, PLATFORM_FEE_BPS) for org, subtotal in subtotals.items()}
        total = sum(subtotals.values())
        order_id = cursor.execute(INSERT_ORDER, (buyer_id, total, total, sum(fees.values()))).fetchone()[0]  # type: ignore[index]
        fulfillments = []
        for org, lines in by_org.items():
            producer = lines[0][0]  # the organization's columns, as market.impact.profile takes them
            members, women = producer.members_count, producer.women_members_count
            fulfillment_id = cursor.execute(
                INSERT_FULFILLMENT,
                (
                    order_id,
                    org,
                    subtotals[org],
                    fees[org],
                    producer.state,
                    producer.legal_form,
                    members > 0 and 2 * women >= members,
                    bool((producer.indigenous_community or "").strip()),
                    Json(producer.certifications),
                    Json(producer.sdgs),
                ),
            ).fetchone()[0]  # type: ignore[index]
            cursor.execute(INSERT_EVENT, (fulfillment_id, None, "awaiting_payment", buyer_id, None))
            cursor.executemany(
                INSERT_LINE,
                [
                    (fulfillment_id, listing.id, listing.title, listing.unit, price, q, q * price)
                    for listing, q, price in lines
                ],
            )
            fulfillments.append({"id": fulfillment_id})
        context = {
            "order": {"id": order_id, "total_cents": total},
            "lines": [
                {"title": listing.title, "quantity": q}
                for lines in by_org.values()
                for listing, q, _p in lines
            ],
        }
        message_id = f"<{uuid.uuid4().hex}@tianguis-solidario.mx>"
        cursor.execute(INSERT_EMAIL, (message_id, buyer_id, email, Json(context)))
        cursor.execute(INSERT_OUTBOX, (Json({"listing_ids": sorted(set(ids))}),))
        for item in sorted(items, key=lambda item: item["listing_id"]):  # last, in listing-id order
            if listings[item["listing_id"]].stock is not None:
                cursor.execute(RESERVE, {"id": item["listing_id"], "quantity": item["quantity"]})
                if cursor.rowcount == 0:
                    left = cursor.execute("SELECT stock FROM listing WHERE id = %s", (item["listing_id"],))
                    raise Refused("sold_out" if left.fetchone()[0] == 0 else "insufficient_stock")  # type: ignore[index]
        return {"id": order_id, "fulfillments": fulfillments}

    # -- the administrator's payment --

    def pay(self, order: dict[str, Any], racing: bool = False, tally: Tally | None = None) -> bool:
        tally = tally or self.tally
        started = time.perf_counter()
        try:
            paid = self.request("offline-payment", {"order": order["id"]}, lambda c: self.mark_paid(c, order))
        except Refused as refusal:
            tally.error("offline-payment", {"order": order["id"]}, "409", refusal.code)
            return False
        if paid:
            tally.pay_ms.append((time.perf_counter() - started) * 1000)
            tally.paid += 1
        return bool(paid)

    def mark_paid(self, cursor: psycopg.Cursor[Any], order: dict[str, Any]) -> bool:
        admin_id, _email, is_admin = self.user(cursor, self.admin_token_hash)
        if not is_admin:
            raise Refused("forbidden")
        status = cursor.execute(LOCK_ORDER, (order["id"],)).fetchone()
        if (
            status is None
            or status[0] != "awaiting_payment"
            or not cursor.execute(MARK_PAID, (order["id"],)).rowcount
        ):
            raise Refused("invalid_transition")
        parts = sorted(cursor.execute(PARTS_PAID, (order["id"],)).fetchall())
        note = "Pago recibido."
        cursor.executemany(
            INSERT_EVENT, [(p.id, "awaiting_payment", "pending_acceptance", admin_id, note) for p in parts]
        )
        reference, transaction_id = f"SPEI{order['id']:08d}", str(uuid.uuid4())
        postings = [("cash", None, sum(p.gross for p in parts))]
        for _id, org, gross, fee, *_profile in parts:
            postings += [("producer_payable", org, fee - gross), ("platform_fees", org, -fee)]
        cursor.executemany(
            INSERT_POSTING,
            [
                (transaction_id, "payment", account, org, order["id"], cents, reference)
                for account, org, cents in postings
            ],
        )
        for _id, org, gross, fee, *profile in sorted(
            parts, key=lambda p: p.organization_id
        ):  # rows locked in key order
            self.add_to_rollup(cursor, org, profile, (1, 1, gross, 0, gross, fee, gross - fee))
        return True

    def add_to_rollup(
        self, cursor: psycopg.Cursor[Any], org: int, profile: list[Any], sums: tuple[int, ...]
    ) -> None:
        """sums: sales, counted, gross, refunded, paid, fee, producer (in centavos)."""
        state, legal_form, women_led, indigenous, certifications, sdgs = profile
        key = (
            org,
            state,
            legal_form,
            women_led,
            indigenous,
            ";".join(certifications),
            ";".join(map(str, sdgs)),
        )
        cursor.execute(ADD_TO_ROLLUP, (*key, *sums))

    # -- the buyer's cancellation --

    def cancel(self, fulfillment: dict[str, Any], racing: bool = False) -> bool:
        started = time.perf_counter()
        try:
            order_status = self.request(
                "cancel", {"fulfillment": fulfillment["id"]}, lambda c: self.release(c, fulfillment)
            )
        except Refused as refusal:
            self.tally.error("cancel", {"fulfillment": fulfillment["id"]}, "409", refusal.code)
            return False
        if order_status is None:
            return False
        self.tally.cancel_ms.append((time.perf_counter() - started) * 1000)
        self.tally.cancelled += 1
        self.tally.refunded += order_status == "paid"
        return True

    def release(self, cursor: psycopg.Cursor[Any], fulfillment: dict[str, Any]) -> str:
        buyer_id, _email, _admin = self.user(cursor, self.token_hash)
        part = cursor.execute(PART, (fulfillment["id"], buyer_id)).fetchone()
        if part is None:
            raise Refused("not_found")
        status, order_id, order_status, org, gross, fee, *profile = part
        if status not in BUYER_MAY_CANCEL:
            raise Refused("invalid_transition")
        if not cursor.execute(HOLD_ORDER, (order_id, order_status)).rowcount:
            raise Refused("changed_meanwhile")
        if not cursor.execute(MOVE_PART, ("cancelled", fulfillment["id"], status)).rowcount:
            raise Refused("changed_meanwhile")
        cursor.execute(INSERT_EVENT, (fulfillment["id"], status, "cancelled", buyer_id, None))
        lines = cursor.execute(LINES, (fulfillment["id"],)).fetchall()
        cursor.execute(
            INSERT_OUTBOX, (Json({"listing_ids": sorted({listing_id for listing_id, _q in lines})}),)
        )
        if order_status == "awaiting_payment":
            cursor.execute(CANCEL_IF_NOTHING_LEFT, (order_id, order_id))
        elif order_status == "paid":  # the whole part back to the buyer, from cash
            owed = gross - fee
            postings = [("producer_payable", org, owed), ("platform_fees", org, fee), ("cash", None, -gross)]
            transaction_id = str(uuid.uuid4())
            cursor.executemany(
                INSERT_POSTING,
                [
                    (transaction_id, "refund", account, o, order_id, cents, None)
                    for account, o, cents in postings
                ],
            )
            self.add_to_rollup(cursor, org, profile, (0, -1, 0, gross, -gross, -fee, -owed))
        # The units last (as the app gives them back), in listing-id order.
        cursor.executemany(RESTOCK, [(quantity, listing_id) for listing_id, quantity in sorted(lines)])
        return str(order_status)

    def race(self, order: dict[str, Any]) -> None:
        """Not a race on one connection: the payment, then one part cancelled (the same statements)."""
        self.tally.races += 1
        if self.pay(order):
            self.cancel(self.rng.choice(order["fulfillments"]))
        else:
            self.left_unpaid(order)


def run_direct(database_url: str, catalog: Catalog, args: argparse.Namespace) -> tuple[Tally, float]:
    """The direct buyers on `database_url` (a catalog built like the app's) for `args.seconds`."""
    admin_token, *tokens = direct_tokens(database_url, [ADMIN_EMAIL, *catalog.buyer_emails])
    buyers: list[Buyer] = [
        DirectBuyer(
            database_url, token, admin_token, list(catalog.initial_stock), args.races, args.seed * 1000 + n
        )
        for n, token in enumerate(tokens)
    ]
    started = time.perf_counter()
    tally = run_buyers(buyers, args.seconds)
    return tally, time.perf_counter() - started


# --- the run --------------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    rng = random.Random(args.seed)
    results: dict[str, Any] = {
        "buyers": args.buyers,
        "seconds": args.seconds,
        "listings": args.listings,
        "loadavg_1m_start": os.getloadavg()[0],
    }
    log_path = args.app_log or workdir / "serve.log"
    with fresh_database(f"bench_checkout_{os.getpid()}") as database_url:
        started = time.perf_counter()
        catalog = build_catalog(database_url, args.listings, args.buyers, rng)
        scarce_units = sum(catalog.initial_stock[i] for i in catalog.scarce)
        log(
            f"catalog: {args.listings} listings ({len(catalog.scarce)} scarce, {scarce_units} units in all), "
            f"{args.buyers} buyers, in {time.perf_counter() - started:.1f}s"
        )
        with app_server(database_url, workdir, log_path, args.workers) as (app_url, app_pid):
            admin_token, *tokens = issue_tokens(app_url, [ADMIN_EMAIL, *catalog.buyer_emails])
            log(f"{len(tokens) + 1} API tokens issued; {args.buyers} buyers check out for {args.seconds:g}s")
            started, app_cpu, own_cpu = time.perf_counter(), cpu_seconds(app_pid), process_cpu_seconds()
            buyers: list[Buyer] = [
                ApiBuyer(
                    app_url, token, admin_token, list(catalog.initial_stock), args.races, args.seed * 1000 + n
                )
                for n, token in enumerate(tokens)
            ]
            tally = run_buyers(buyers, args.seconds)
            elapsed = time.perf_counter() - started
            # where the machine's time went: one app process (one GIL) and the buyers' own threads
            results["app_cpu_pct"] = round(100 * (cpu_seconds(app_pid) - app_cpu) / elapsed)
            results["buyers_cpu_pct"] = round(100 * (process_cpu_seconds() - own_cpu) / elapsed)
            results["cpus"] = os.cpu_count()
            results["workers"] = args.workers
        # the app has stopped: no transaction is in flight while the database is audited
        checks = audit(database_url, catalog.initial_stock)
    for sample in tally.samples:
        log(f"error: {sample}")
    first_traceback, endings = tracebacks(log_path)
    if endings:
        log(f"the app's first traceback:\n{first_traceback}")
        for ending, count in endings.most_common():
            log(f"{count} traceback(s) in the app's log end with: {ending}")
    results |= {
        "orders_per_s": round(tally.orders / elapsed, 1),
        "p50_ms": round(percentile(tally.checkout_ms, 50), 1),
        "p95_ms": round(percentile(tally.checkout_ms, 95), 1),
        "p99_ms": round(percentile(tally.checkout_ms, 99), 1),
        "sold_out_p50_ms": round(percentile(tally.sold_out_ms, 50), 1),
        "pay_p50_ms": round(percentile(tally.pay_ms, 50), 1),
        "cancel_p50_ms": round(percentile(tally.cancel_ms, 50), 1),
        "orders": tally.orders,
        "sold_out": tally.sold_out,
        "paid": tally.paid,
        "cancelled": tally.cancelled,
        "refunded": tally.refunded,
        "errors": sum(tally.errors.values()),
        "app_tracebacks": sum(endings.values()),
    }
    if tally.errors:
        results["error_kinds"] = dict(tally.errors.most_common())
    if args.races:
        results |= {"races": tally.races, "race_conflicts": tally.race_conflicts}
    # every order the buyers were told about is in the database, and no other
    results["orders_unaccounted"] = checks["orders_in_db"] - tally.orders
    results["paid_unaccounted"] = checks["paid_in_db"] - tally.paid
    results |= checks
    if not args.no_direct:
        results |= direct_phase(args, results["orders_per_s"])
    return results


def direct_phase(args: argparse.Namespace, app_orders_per_s: float) -> dict[str, Any]:
    """The same buyers on a second fresh database built alike (same seed), their requests sent as SQL
    straight to PostgreSQL; then the same audit."""
    with fresh_database(f"bench_checkout_direct_{os.getpid()}") as database_url:
        catalog = build_catalog(database_url, args.listings, args.buyers, random.Random(args.seed))
        log(f"direct: {args.buyers} buyers send the same transactions to PostgreSQL for {args.seconds:g}s")
        tally, elapsed = run_direct(database_url, catalog, args)
        checks = audit(database_url, catalog.initial_stock)
    for sample in tally.samples:
        log(f"direct error: {sample}")
    orders_per_s = tally.orders / elapsed
    figures: dict[str, Any] = {
        "direct_orders_per_s": round(orders_per_s, 1),
        "direct_p50_ms": round(percentile(tally.checkout_ms, 50), 1),
        "direct_p95_ms": round(percentile(tally.checkout_ms, 95), 1),
        "direct_ratio": round(app_orders_per_s / orders_per_s, 3) if orders_per_s else None,
        "direct_orders": tally.orders,
        "direct_sold_out": tally.sold_out,
        "direct_paid": tally.paid,
        "direct_cancelled": tally.cancelled,
        "direct_refunded": tally.refunded,
        "direct_errors": sum(tally.errors.values()),
    }
    if tally.errors:
        figures["direct_error_kinds"] = dict(tally.errors.most_common())
    return figures | {f"direct_{name}": checks[name] for name in DIRECT_CHECKS}


# The direct database's audit, as the app's: its stock, and whether the SQL wrote what the app writes.
DIRECT_CHECKS = (
    "oversold_units",
    "stock_mismatches",
    "ledger_imbalance_cents",
    "ledger_cash_mismatch_cents",
    "fulfillment_state_mismatches",
    "lost_cancellations",
    "orders_in_db",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--buyers", type=int, default=50, help="concurrent buyers (threads)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they check out")
    parser.add_argument("--listings", type=int, default=20, help="popular listings (every third scarce)")
    parser.add_argument(
        "--races",
        type=float,
        default=0.1,
        metavar="FRACTION",
        help="fraction of new orders whose payment and cancellation are sent at the same time",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (catalog and buyers)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="app processes (market serve --workers N; default as market serve on PostgreSQL: one per core)",
    )
    parser.add_argument("--app-log", type=Path, help="keep the app's log here (default: a temp file)")
    parser.add_argument(
        "--no-direct", action="store_true", help="skip the direct baseline (the same SQL without the app)"
    )
    args = parser.parse_args()
    if min(args.buyers, args.listings, args.workers) < 1 or args.seconds <= 0 or not 0 <= args.races <= 1:
        parser.error("--buyers, --listings and --workers must be >= 1, --seconds > 0, --races within 0..1")
    return args


def main() -> int:
    args = parse_args()
    return run_and_report(lambda workdir: run(args, workdir), "bench-checkout-")


if __name__ == "__main__":
    sys.exit(main())
