"""Checkout benchmark: N concurrent buyers checking out against a catalog of popular listings, some of
them with scarce stock, on PostgreSQL; then an audit of stock and ledger from the database.

    .venv/bin/python bench/checkout.py [--buyers 50] [--seconds 60] [--listings 20] [--races 0.1]
                                       [--workers 1]

It starts what it needs (a fresh database `bench_checkout_<pid>` on the local PostgreSQL, `market serve
--no-worker`), removes all of it at the end (also on Ctrl-C or a failure), prints progress to stderr and,
as the last stdout line, one JSON object of figures. `errors`, `oversold_units`, `stock_mismatches`,
`ledger_imbalance_cents`, `ledger_cash_mismatch_cents`, `fulfillment_state_mismatches` and
`lost_cancellations` must all be 0 (bench/README.md says what each one checks).
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
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
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
    def __init__(
        self, app_url: str, token: str, admin_token: str, listing_ids: list[int], races: float, seed: int
    ) -> None:
        self.client = http_client(app_url, token)
        self.admin = http_client(app_url, admin_token)
        self.listing_ids = listing_ids
        self.rng = random.Random(seed)
        self.races = races
        self.tally = Tally()

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
        chosen = self.rng.sample(self.listing_ids, self.rng.randint(1, min(3, len(self.listing_ids))))
        body = {
            "items": [{"listing_id": i, "quantity": self.rng.randint(1, 3)} for i in chosen],
            "payment_method": "spei_transfer",
        }
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

    def race(self, order: dict[str, Any]) -> None:
        """The administrator confirms the payment while the buyer cancels one part of the same order."""
        self.tally.races += 1
        target = self.rng.choice(order["fulfillments"])
        payer_tally = Tally()
        payer = threading.Thread(target=self.pay, args=(order, True, payer_tally))
        payer.start()
        self.cancel(target, racing=True)
        payer.join()
        self.tally.merge(payer_tally)

    def follow_up(self, order: dict[str, Any]) -> None:
        roll = self.rng.random()
        if roll < self.races:
            self.race(order)
        elif (roll := roll - self.races) < PAY:
            self.pay(order)
        elif (roll := roll - PAY) < CANCEL:
            for fulfillment in order["fulfillments"]:
                self.cancel(fulfillment)
        elif roll - CANCEL < PAY_THEN_CANCEL and self.pay(order):
            self.cancel(self.rng.choice(order["fulfillments"]))

    def run(self, deadline: float, stop: threading.Event) -> None:
        while time.monotonic() < deadline and not stop.is_set():
            if order := self.checkout():
                self.follow_up(order)


def run_buyers(app_url: str, tokens: list[str], admin_token: str, listing_ids: list[int], args: Any) -> Tally:
    buyers = [
        Buyer(app_url, token, admin_token, listing_ids, args.races, seed=args.seed * 1000 + n)
        for n, token in enumerate(tokens)
    ]
    stop = threading.Event()
    deadline = time.monotonic() + args.seconds
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
            tally = run_buyers(app_url, tokens, admin_token, list(catalog.initial_stock), args)
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
    return results | checks


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
    parser.add_argument("--workers", type=int, default=1, help="app processes (market serve --workers N)")
    parser.add_argument("--app-log", type=Path, help="keep the app's log here (default: a temp file)")
    args = parser.parse_args()
    if min(args.buyers, args.listings, args.workers) < 1 or args.seconds <= 0 or not 0 <= args.races <= 1:
        parser.error("--buyers, --listings and --workers must be >= 1, --seconds > 0, --races within 0..1")
    return args


def main() -> int:
    args = parse_args()
    return run_and_report(lambda workdir: run(args, workdir), "bench-checkout-")


if __name__ == "__main__":
    sys.exit(main())
