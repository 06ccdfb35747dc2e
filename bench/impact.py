"""Impact benchmark: the public impact page (`/impacto`) and its CSVs over many paid sales, on PostgreSQL.

    .venv/bin/python bench/impact.py [--sales 100000] [--steps 10000,100000,1000000] [--organizations 40]
                                     [--requests 20] [--reference-max 100000] [--seed 1] [--profile]

It creates the database `bench_impact_<pid>` on the local PostgreSQL, migrates it, creates verified
organizations, consumers and an institution with the services, then bulk-inserts paid orders with SQLAlchemy
Core: one or two parts each and the ledger postings the order and ledger services write for them (a payment,
or an invoice then its payment; one part of about 5 % of the orders refunded in full), spread over the
last 18 months. Those rows bypass `ledger.post`, which keeps the impact rollup: for each size the rollup is
rebuilt from the whole ledger (`rollup.rebuild`, as the migration and `market impact-rebuild` do). Then it
measures `market.impact.service.impact()` in this process (from the rollup); up to `--reference-max` sales
also the old computation sale by sale from the ledger (`service.from_ledger`) and checks both equal to the
cent; the institution's own CSV (a row per purchase) streamed in this process, with its Python memory peak;
then `GET /impacto` and `GET /impacto.csv` on a fresh `market serve --no-worker`, and the server's peak RSS.
It drops the database at the end (also on Ctrl-C, `kill` or a failure), prints progress to stderr and, as
the last stdout line, one JSON object of figures. A benchmark, not a test: it asserts only what makes the
figures meaningless when false (every request succeeds; the service counts the sales that were inserted
and the money paid, as does the CSV; the ledger balances; the rollup equals the ledger where compared).
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
import cProfile  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from sqlalchemy import event, insert, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.common import app_env, fresh_database, log, percentile, run_and_report, serve  # noqa: E402
from market.organizations.models import VerificationStatus  # noqa: E402

PASSWORD = "bench-impacto-contraseña-1"
CONSUMERS = 20
INSTITUTION_MEMBERS = 3  # they buy on invoice terms: the "institutional" money
MONTHS_BACK = 18
DAYS_BACK = round(MONTHS_BACK * 365.25 / 12)
TWO_PARTS = 0.3  # orders with two producers' parts, the rest one
REFUNDED = 0.05  # orders with one part refunded in full (rejected or cancelled after payment)
CONSUMER_METHODS = (("card", 0.5), ("oxxo", 0.2), ("spei_transfer", 0.3))
INVOICE = 0.1  # of the orders: an institution's, on invoice terms
BATCH = 5_000  # orders per INSERT transaction
SERVICE_RUNS = 20
REFERENCE_RUNS = 2
CSV_RUNS = 3
INDIGENOUS = ("Tsotsil", "Tseltal", "Zapoteca", "Mixteca", "Totonaca", "Purépecha", "Maya", "Nahua")


# --- processes ------------------------------------------------------------------------------------


def rss_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (the peak) of a running process, from /proc (empty once it has exited). common.py has
    no helper for it; bench/search.py reads the same fields."""
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/status").read_text()
        return {k: int(v) for k, v in re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", status, re.M)}
    return {}


def mb(kilobytes: float) -> float:
    return round(kilobytes / 1024, 1)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


# --- the people -----------------------------------------------------------------------------------


@dataclass
class People:
    organizations: list[tuple[int, int, dict[str, Any]]]  # (id, delivery fee in centavos, profile)
    consumers: list[int]
    institution_members: list[int]
    institution_id: int


def build_people(database_url: str, organizations: int, rng: random.Random) -> People:
    """Migrations, then with the services: an administrator, verified organizations across every state and
    legal form (with members, women, certifications, SDGs and some indigenous communities), consumers, and a
    verified school whose members buy on invoice terms."""
    import market.models  # noqa: F401  (every table, for the relationships)
    from market.accounts.schemas import Registration
    from market.accounts.service import register
    from market.db import make_engine, transaction, utcnow
    from market.demo import load_marketplace
    from market.impact.profile import producer_profile
    from market.linking import buyers
    from market.linking.models import BuyerMembership
    from market.mexico import CERTIFICATIONS, LEGAL_FORMS, SDGS, STATES
    from market.migrate import upgrade
    from market.organizations import service as organizations_service
    from market.organizations.schemas import OrganizationCreate

    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the figures
        upgrade(database_url)
    engine = make_engine(database_url)

    def account(session: Session, email: str, name: str, is_admin: bool = False) -> int:
        account = Registration(name=name, email=email, password=PASSWORD)
        user = register(session, account, is_admin=is_admin, confirmed=True)
        assert user.id is not None
        return user.id

    try:
        with transaction(engine) as session:
            from market.accounts.models import User

            admin = session.get(User, account(session, "admin@bench.tianguis.demo", "Equipo", True))
            owner = session.get(User, account(session, "productora@bench.tianguis.demo", "Coordinación"))
            assert admin is not None and owner is not None
            legal_forms, certifications = list(LEGAL_FORMS), list(CERTIFICATIONS)
            found: list[tuple[int, int, dict[str, Any]]] = []
            for n in range(organizations):
                size = rng.randint(8, 400)
                data = OrganizationCreate(
                    name=f"Cooperativa de Impacto {n + 1}",
                    legal_form=legal_forms[n % len(legal_forms)],
                    state=STATES[(n * 7) % len(STATES)].inegi,
                    municipality="Municipio de prueba",
                    members_count=size,
                    women_members_count=rng.randint(0, size),
                    indigenous_community=rng.choice(INDIGENOUS) if rng.random() < 0.35 else None,
                    certifications=rng.sample(certifications, rng.choice((0, 0, 1, 1, 2))),
                    sdgs=rng.sample(list(SDGS), rng.randint(1, 3)),
                    delivery_fee_cents=rng.choice((0, 0, 4_000, 8_000, 12_000)),
                )
                organization = organizations_service.create(session, owner, data)
                organizations_service.verify(session, admin, organization)
                assert organization.id is not None
                found.append(
                    (organization.id, organization.delivery_fee_cents, producer_profile(organization))
                )
            consumers = [
                account(session, f"consumidora-{n}@bench.tianguis.demo", f"Consumidora {n}")
                for n in range(CONSUMERS)
            ]
            members = [
                account(session, f"compras-{n}@escuela.bench.tianguis.demo", f"Compras {n}")
                for n in range(INSTITUTION_MEMBERS)
            ]
            head = session.get(User, members[0])
            assert head is not None
            school = buyers.create(session, head, load_marketplace().school.institution)
            school.verification_status, school.verified_at = VerificationStatus.VERIFIED, utcnow()
            assert school.id is not None
            for member in members[1:]:  # as if each had accepted an invitation
                session.add(BuyerMembership(user_id=member, buyer_organization_id=school.id, role="member"))
            session.flush()
        return People(found, consumers, members, school.id)
    finally:
        engine.dispose()


# --- the sales ------------------------------------------------------------------------------------


@dataclass
class Inserted:
    orders: int = 0
    parts: int = 0
    refunded_parts: int = 0
    ledger_rows: int = 0
    paid_cents: int = 0  # what the parts not refunded are worth: the page's "paid" figure
    seconds: float = 0.0


@dataclass
class Batch:
    orders: list[dict[str, Any]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)
    postings: list[dict[str, Any]] = field(default_factory=list)


class SaleWriter:
    """Paid orders written in bulk, as the order and ledger services would have left them."""

    def __init__(
        self, engine: Engine, settings: Any, people: People, rng: random.Random, now: datetime
    ) -> None:
        self.engine, self.people, self.rng, self.now = engine, people, rng, now
        self.fee_bps = settings.platform_fee_bps
        self.total = Inserted()

    def add(self, count: int) -> None:
        """`count` more paid orders, spread over the last 18 months like those already there."""
        from market.ledger.models import LedgerEntry
        from market.orders.models import Fulfillment, Order

        started = time.perf_counter()
        with self.engine.connect() as connection:
            next_order, next_part = (
                int(connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()) + 1
                for table in ("orders", "fulfillment")
            )
        done = 0
        while done < count:
            batch = Batch()
            for _ in range(min(BATCH, count - done)):
                next_part += self._order(batch, next_order, next_part)
                next_order += 1
            with self.engine.begin() as connection:
                connection.execute(insert(Order), batch.orders)
                connection.execute(insert(Fulfillment), batch.parts)
                connection.execute(insert(LedgerEntry), batch.postings)
            done += len(batch.orders)
            self.total.ledger_rows += len(batch.postings)
            log(f"{done}/{count} orders inserted")
        with self.engine.begin() as connection:  # the sequences past the ids written, fresh statistics
            for table in ("orders", "fulfillment"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
                )
            connection.execute(text("ANALYZE"))
        self.total.seconds += time.perf_counter() - started

    def _moment(self, after: datetime, low: timedelta, high: timedelta) -> datetime:
        """A moment `low`..`high` after `after`, never in the future."""
        step = low + (high - low) * self.rng.random()
        return min(after + step, self.now - timedelta(seconds=1))

    def _order(self, batch: Batch, order_id: int, first_part_id: int) -> int:
        """One paid order with its parts and postings into `batch`; returns how many parts it has."""
        from market.money import apply_bps

        rng, people = self.rng, self.people
        created = self.now - timedelta(days=DAYS_BACK) * rng.random() - timedelta(hours=1)
        institutional = rng.random() < INVOICE
        if institutional:
            method, buyer = "invoice", rng.choice(people.institution_members)
        else:
            method = rng.choices([m for m, _w in CONSUMER_METHODS], [w for _m, w in CONSUMER_METHODS])[0]
            buyer = rng.choice(people.consumers)
        chosen = rng.sample(people.organizations, 2 if rng.random() < TWO_PARTS else 1)
        refunded = rng.randrange(len(chosen)) if rng.random() < REFUNDED else None
        parts: list[dict[str, Any]] = []
        for index, (organization_id, delivery_fee, profile) in enumerate(chosen):
            units = rng.randint(1, 60 if institutional else 6)
            subtotal = units * rng.randint(40, 900) * 100
            delivered = institutional or rng.random() < 0.3
            parts.append(
                {
                    "id": first_part_id + index,
                    "order_id": order_id,
                    "organization_id": organization_id,
                    "status": "completed",
                    "delivery_method": "delivery" if delivered else "pickup",
                    "subtotal_cents": subtotal,
                    "delivery_cents": delivery_fee if delivered else 0,
                    "platform_fee_cents": apply_bps(subtotal, self.fee_bps),  # as place_order sets it
                    "created_at": created,
                    "updated_at": created,
                    **profile,  # the producer as it was when it sold, as place_order keeps it
                }
            )
        subtotal = sum(p["subtotal_cents"] for p in parts)
        delivery = sum(p["delivery_cents"] for p in parts)
        batch.orders.append(
            {
                "id": order_id,
                "buyer_id": buyer,
                "status": "paid",
                "payment_method": method,
                "subtotal_cents": subtotal,
                "delivery_cents": delivery,
                "total_cents": subtotal + delivery,
                "platform_fee_cents": sum(p["platform_fee_cents"] for p in parts),
                "payment_due_at": created + timedelta(days=30) if institutional else None,
                "ship_to": "Av. Universidad 120, Oaxaca de Juárez" if institutional else None,
                "buyer_organization_id": people.institution_id if institutional else None,
                "created_at": created,
            }
        )
        total = subtotal + delivery
        # ledger._sale: per part, the producer's share and the platform's fee, both with its organization
        credits: list[tuple[str, int, int | None]] = []
        for p in parts:
            gross, fee = p["subtotal_cents"] + p["delivery_cents"], p["platform_fee_cents"]
            credits += [
                ("producer_payable", -(gross - fee), p["organization_id"]),
                ("platform_fees", -fee, p["organization_id"]),
            ]
        if institutional:  # record_invoice when the order is placed, record_invoice_paid when it is paid
            self._post(batch, "invoice", order_id, created, None, [("receivable", total, None), *credits])
            paid_at = self._moment(created, timedelta(days=3), timedelta(days=30))
            reference = f"SPEI-FACTURA-{order_id:08d}"
            self._post(
                batch,
                "payment",
                order_id,
                paid_at,
                reference,
                [("cash", total, None), ("receivable", -total, None)],
            )
        else:  # record_payment when the money arrives
            delay = {
                "card": timedelta(minutes=2),
                "oxxo": timedelta(days=2),
                "spei_transfer": timedelta(days=1),
            }
            paid_at = self._moment(created, timedelta(seconds=5), delay[method])
            reference = f"BENCH-{method.upper()}-{order_id:08d}"
            self._post(batch, "payment", order_id, paid_at, reference, [("cash", total, None), *credits])
        age = self.now - paid_at
        for index, p in enumerate(parts):
            if index == refunded:  # record_refund of the whole part, from cash (the order is paid)
                refunded_at = self._moment(paid_at, timedelta(hours=2), timedelta(days=5))
                p["status"] = rng.choice(("rejected", "cancelled"))
                p["updated_at"] = refunded_at
                gross = p["subtotal_cents"] + p["delivery_cents"]
                owed, fee = gross - p["platform_fee_cents"], p["platform_fee_cents"]
                self._post(
                    batch,
                    "refund",
                    order_id,
                    refunded_at,
                    None,
                    [
                        ("producer_payable", owed, p["organization_id"]),
                        ("platform_fees", fee, p["organization_id"]),
                        ("cash", -gross, None),
                    ],
                )
                self.total.refunded_parts += 1
            else:
                if age < timedelta(days=20):  # recent parts are still on their way
                    p["status"] = rng.choice(
                        ("pending_acceptance", "accepted", "preparing", "shipped", "delivered")
                    )
                p["updated_at"] = self._moment(paid_at, timedelta(hours=1), timedelta(days=10))
                self.total.paid_cents += p["subtotal_cents"] + p["delivery_cents"]
        batch.parts += parts
        self.total.orders += 1
        self.total.parts += len(parts)
        return len(parts)

    @staticmethod
    def _post(
        batch: Batch,
        kind: str,
        order_id: int,
        moment: datetime,
        reference: str | None,
        postings: list[tuple[str, int, int | None]],
    ) -> None:
        """ledger.post: one transaction whose postings sum to zero, zero amounts left out."""
        assert sum(amount for _account, amount, _org in postings) == 0, postings
        transaction_id = str(uuid.uuid4())
        batch.postings += [
            {
                "transaction_id": transaction_id,
                "kind": kind,
                "account": account,
                "organization_id": organization_id,
                "order_id": order_id,
                "amount_cents": amount,
                "reference": reference,
                "created_at": moment,
            }
            for account, amount, organization_id in postings
            if amount
        ]


# --- the measures ---------------------------------------------------------------------------------


@dataclass
class SqlTimer:
    """Time spent in the driver's execute (PostgreSQL's work and the transfer of the rows, which psycopg
    reads whole) and the statements, from the engine's cursor events."""

    seconds: float = 0.0
    statements: list[tuple[str, Any]] = field(default_factory=list)


@contextlib.contextmanager
def timing_sql(engine: Engine) -> Iterator[SqlTimer]:
    timer = SqlTimer()

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, _many: bool) -> None:
        context._bench_started = time.perf_counter()
        timer.statements.append((statement, parameters))

    def after(_conn: Any, _cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool) -> None:
        timer.seconds += time.perf_counter() - context._bench_started

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield timer
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def measure_rollup(engine: Engine, settings: Any) -> dict[str, Any]:
    """The rows bulk-inserted bypass `ledger.post`, which keeps the rollup: it is rebuilt from the whole
    ledger, as the migration that created it (and `market impact-rebuild`) do."""
    from market.db import transaction
    from market.impact import rollup

    started = time.perf_counter()
    with transaction(engine) as session:
        rows = rollup.rebuild(session, settings)
    rebuilt = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(text("ANALYZE impact_rollup"))
    log(f"rollup rebuilt from the ledger: {rows} rows in {rebuilt:.1f}s")
    return {"rollup_rows": rows, "rollup_rebuild_s": round(rebuilt, 1)}


def measure_service(
    engine: Engine, settings: Any, expected: Inserted, reference: bool, profile: bool
) -> dict[str, Any]:
    """`service.impact()` as `/impacto` calls it (every year, from the rollup): p50 of 20 runs after a
    warm-up, of which SQL; with `reference`, the old computation sale by sale from the ledger
    (`service.from_ledger`, what `impact()` was) twice, and both compared to the cent. The figures are
    checked against what was inserted."""
    from market.db import utcnow
    from market.impact import service
    from market.ledger.service import imbalance

    def impact() -> Any:
        with Session(engine) as session:
            return service.impact(session, settings)

    figures = impact()  # warm-up: a connection in the pool, the modules imported
    runs, sql_s, statements = [], [], 0
    for _ in range(SERVICE_RUNS):
        with timing_sql(engine) as sql:
            started = time.perf_counter()
            impact()
            runs.append(time.perf_counter() - started)
        sql_s.append(sql.seconds)
        statements = len(sql.statements)
    result: dict[str, Any] = {
        "parts": expected.parts,
        "refunded_parts": expected.refunded_parts,
        "ledger_rows": expected.ledger_rows,
        "impact_p50_ms": ms(percentile(runs, 50)),
        "impact_max_ms": ms(max(runs)),
        "impact_sql_p50_ms": ms(percentile(sql_s, 50)),
        "impact_statements": statements,
        "producer_share_pct": round(figures.producer_share_bps / 100, 2),
        "years": figures.years,
    }
    with Session(engine) as session:
        unbalanced = imbalance(session)
    # what makes the figures meaningless when false: every part inserted is a sale, every refund counted
    counted = expected.parts - expected.refunded_parts
    if figures.sale_count != counted or figures.paid_cents != expected.paid_cents:
        raise RuntimeError(
            f"the rollup counts {figures.sale_count} sales, {figures.paid_cents} paid; "
            f"{counted} parts not refunded were inserted, {expected.paid_cents} paid"
        )
    if unbalanced:
        raise RuntimeError(f"the ledger is off by {unbalanced} centavos")
    if reference:
        now, ledger_s, peak, old = utcnow(), [], 0, None
        for run in range(REFERENCE_RUNS):  # the last one under tracemalloc, which slows it: not timed
            old = None  # the previous run's figures are not kept alive during this one
            traced = run == REFERENCE_RUNS - 1
            if traced:
                tracemalloc.start()
            started = time.perf_counter()
            with Session(engine) as session:
                old = service.from_ledger(session, settings, now=now)
            if traced:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            else:
                ledger_s.append(time.perf_counter() - started)
        with Session(engine) as session:
            new = service.from_rollup(session, now=now)
        if new != old:
            raise RuntimeError("the rollup's figures differ from the ledger's")
        result |= {
            "from_ledger_ms": ms(min(ledger_s)),
            "from_ledger_python_peak_mb": round(peak / 2**20, 1),
            "rollup_equals_ledger": True,
        }
        log(f"from_ledger(): {result['from_ledger_ms']} ms (the old impact()); equal to the rollup's")
    if profile:
        profiler = cProfile.Profile()
        with Session(engine) as session:
            profiler.runcall(service.impact, session, settings)
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(25)
            log(f"cProfile of one impact() call, by {order}:\n{out.getvalue()}")
    return result


def measure_purchases_csv(engine: Engine, settings: Any, institution_id: int) -> dict[str, Any]:
    """The institution's own CSV (one row per purchase: it grows with history), as its view streams it:
    once for the time, once under tracemalloc for the Python memory it holds at its peak."""
    from market.impact import export

    def download() -> tuple[int, int]:
        size = rows = 0
        for chunk in export.purchases_file(engine, settings, institution_id, None):
            size, rows = size + len(chunk), rows + chunk.count(b"\n")
        return size, rows - 1

    started = time.perf_counter()
    size, rows = download()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    download()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    log(f"the institution's CSV: {rows} rows, {size} bytes in {ms(elapsed)} ms, peak {peak / 2**20:.1f} MB")
    return {
        "purchases_csv_rows": rows,
        "purchases_csv_ms": ms(elapsed),
        "purchases_csv_bytes": size,
        "purchases_csv_python_peak_mb": round(peak / 2**20, 1),
    }


def timed_get(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:500]}")
    return elapsed, response


def measure_server(
    database_url: str, workdir: Path, size: int, requests: int, paid_cents: int
) -> dict[str, Any]:
    """A fresh `market serve --no-worker` (its peak RSS is this size's): `GET /impacto` once cold, then
    `requests` times, one after the other on one kept-alive connection; then `GET /impacto.csv` (the
    page's figures, whose total paid is checked)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MEILI_", "STRIPE_"))}
    env = app_env(database_url, workdir, base) | {"ENVIRONMENT": "development"}
    with (
        serve(env, workdir / f"serve-{size}.log", cwd=workdir) as server,
        httpx.Client(base_url=server.url, timeout=600) as client,
    ):
        idle_kb = rss_kb(server.pid).get("VmRSS", 0)
        first, page = timed_get(client, "/impacto")
        page_s = [timed_get(client, "/impacto")[0] for _ in range(requests)]
        log(f"GET /impacto: first {ms(first)} ms, p50 {ms(percentile(page_s, 50))} ms")
        csv_s, csv = [], page
        for _ in range(CSV_RUNS):
            elapsed, csv = timed_get(client, "/impacto.csv")
            csv_s.append(elapsed)
        paid = next(r for r in csv.text.splitlines() if r.startswith("total,pagado,")).rsplit(",", 1)[1]
        if paid != f"{paid_cents // 100}.{paid_cents % 100:02d}":
            raise RuntimeError(f"/impacto.csv says {paid} paid, {paid_cents} centavos were inserted")
        log(f"GET /impacto.csv: p50 {ms(percentile(csv_s, 50))} ms, {len(csv.content)} bytes")
        memory = rss_kb(server.pid)
    return {
        "page_first_ms": ms(first),
        "page_p50_ms": ms(percentile(page_s, 50)),
        "page_p95_ms": ms(percentile(page_s, 95)),
        "page_bytes": len(page.content),
        "csv_p50_ms": ms(percentile(csv_s, 50)),
        "csv_bytes": len(csv.content),
        "server_idle_rss_mb": mb(idle_kb),
        "server_rss_end_mb": mb(memory.get("VmRSS", 0)),
        "server_peak_rss_mb": mb(memory.get("VmHWM", 0)),
    }


# --- the run --------------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from market.config import Settings
    from market.db import make_engine, utcnow

    rng = random.Random(args.seed)
    results: dict[str, Any] = {
        "organizations": args.organizations,
        "requests": args.requests,
        "cpus": os.cpu_count(),
        "loadavg_1m_start": os.getloadavg()[0],
        "steps": [],
    }
    with fresh_database(f"bench_impact_{os.getpid()}") as database_url:
        started = time.perf_counter()
        people = build_people(database_url, args.organizations, rng)
        log(
            f"{args.organizations} organizations, {CONSUMERS + INSTITUTION_MEMBERS} buyers, in "
            f"{time.perf_counter() - started:.1f}s"
        )
        settings = Settings(database_url=database_url)
        engine = make_engine(database_url)
        try:
            writer = SaleWriter(engine, settings, people, rng, utcnow())
            for size in args.steps:
                before = writer.total.seconds
                writer.add(size - writer.total.orders)
                inserted = writer.total.seconds - before
                log(
                    f"{size} paid orders ({writer.total.parts} parts) in the database; "
                    f"{inserted:.1f}s for this step"
                )
                step: dict[str, Any] = {"sales": size, "insert_s": round(inserted, 1)}
                step |= measure_rollup(engine, settings)
                step |= measure_service(
                    engine,
                    settings,
                    writer.total,
                    size <= args.reference_max,
                    args.profile and size == args.steps[-1],
                )
                log(
                    f"impact(): p50 {step['impact_p50_ms']} ms (SQL {step['impact_sql_p50_ms']} ms, "
                    f"{step['impact_statements']} statements), max {step['impact_max_ms']} ms"
                )
                step |= measure_purchases_csv(engine, settings, people.institution_id)
                engine.dispose()  # the server's turn: nothing of ours in PostgreSQL's way
                step |= measure_server(database_url, workdir, size, args.requests, writer.total.paid_cents)
                step["loadavg_1m"] = os.getloadavg()[0]
                results["steps"].append(step)
        finally:
            engine.dispose()
    return results


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sales", type=int, default=100_000, help="paid orders (when --steps is not given)")
    parser.add_argument(
        "--steps",
        help="sizes to measure in sequence, rows added between them (e.g. 10000,100000); overrides --sales",
    )
    parser.add_argument("--organizations", type=int, default=40, help="verified producer organizations")
    parser.add_argument("--requests", type=int, default=20, help="GET /impacto per size, after a first one")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument(
        "--reference-max",
        type=int,
        default=100_000,
        help="up to this size, also time the old computation from the ledger and compare the figures",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one impact() call at the last size")
    args = parser.parse_args()
    try:
        args.steps = [int(n) for n in args.steps.split(",")] if args.steps else [args.sales]
    except ValueError:
        parser.error("--steps: comma-separated numbers of orders")
    if any(n < 1 for n in args.steps) or args.steps != sorted(set(args.steps)):
        parser.error("--steps must be increasing and >= 1 (and --sales >= 1)")
    if args.organizations < 2 or args.requests < 1:
        parser.error("--organizations must be >= 2, --requests >= 1")
    return args


def main() -> int:
    args = parse_args()
    return run_and_report(lambda workdir: run(args, workdir), "bench-impact-")


if __name__ == "__main__":
    sys.exit(main())
