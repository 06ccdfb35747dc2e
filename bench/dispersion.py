"""SPEI bulk payout benchmark: one dispersion file for N producers against N payouts recorded one by one.

    DATABASE_URL=... .venv/bin/python bench/dispersion.py [--organizations 500]

`DATABASE_URL` (default: a SQLite file in a temporary folder) must name an empty database: the script
migrates it, fills it, and drops every table at the end (also on Ctrl-C, `kill` or a failure), leaving it
empty as it found it. On PostgreSQL it also makes a copy of it next to it (`<name>_copy`, `CREATE DATABASE
... TEMPLATE`) for the one-by-one baseline and drops that copy at the end.

Setup, with the services, as the real flow leaves the ledger: an administrator, a buyer and a producer
member who owns N verified organizations, each with a valid CLABE (check digit computed with the `clabe`
package) and one active listing; the buyer checks out one unit from each organization (up to 100 items an
order, the checkout's limit: one part per organization) paying by SPEI transfer, the administrator confirms
each transfer (`confirm_offline_payment`), and each part is moved accepted, preparing, ready for pickup by
the producer, delivered and completed by the buyer. Then each organization has its part's share payable now.

Measured, each step in its own session, the writing ones in one transaction (commit included); after
each, `<step>_statements`: the SQL statements the step sent (SQLAlchemy's `before_cursor_execute`, one
round trip each):

- `preview_s`: `dispersion.preview`, the plan the dispersions page shows (who is in the file, who is not);
- `generate_s`, `generate_lines_per_s`: `dispersion.create`, one pending payout and its ledger posting per
  organization and the file, in one transaction;
- `render_s`: `dispersion_format.render` of the N transfers (the bytes alone, also inside `generate_s`);
- `download_s`, `file_bytes`: `dispersion.file_of`, what the download sends, and its size;
- `result_build_s`, `result_bytes`: the bank's result CSV built in memory (90 % liquidada, 10 % rechazada);
- `apply_s`, `apply_lines_per_s`: `dispersion.apply_result` of that CSV (parse, match, mark sent or
  failed, post the returns, notify the owners), `sent`, `failed`: what it applied;
- `reapply_s`: the same file again; checked: nothing changes, every line reported as already recorded;
- `one_by_one_s`, `one_by_one_per_payout_ms`: on the copy made before the dispersion,
  `payments.service.pay_out` of the same amounts for each organization, one transaction each;
- `one_by_one_vs_generate`: `one_by_one_s / generate_s`; `ledger_imbalance_cents`: must be 0;
- `setup_s`: building the data (not measured work).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import MetaData, create_engine, event, inspect, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from bench.common import log, run_and_report  # noqa: E402

PASSWORD = "contraseña-de-prueba-larga"
ITEMS_PER_ORDER = 100  # the checkout's limit (market.orders.schemas.Checkout.items)
FAILED_EVERY = 10  # one result line in ten is a rejection
BANKS = ("002", "012", "014", "021", "072", "127", "137", "646")  # Banamex, BBVA, Santander, HSBC...


def clabe_for(n: int) -> str:
    """A well-formed CLABE (bank, plaza 180, an 11-digit account and its check digit), of no real account."""
    import clabe

    first17 = f"{BANKS[n % len(BANKS)]}180{n + 1:011d}"
    return first17 + clabe.compute_control_digit(first17)


class Statements:
    """Counts the statements an engine sends (each a round trip to the database)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0

        @event.listens_for(engine, "before_cursor_execute")
        def _count(*_args: Any) -> None:
            self.count += 1


def timed(figures: dict[str, Any], name: str, statements: Statements, step: Callable[[], Any]) -> Any:
    before = statements.count
    started = time.perf_counter()
    result = step()
    figures[f"{name}_s"] = round(time.perf_counter() - started, 4)
    figures[f"{name}_statements"] = statements.count - before
    log(f"{name}: {figures[f'{name}_s']} s, {figures[f'{name}_statements']} statements")
    return result


@contextlib.contextmanager
def emptied_afterwards(url: str) -> Iterator[None]:
    """Refuse a database that holds tables; drop every table we made on the way out."""
    engine = create_engine(url)
    tables = inspect(engine).get_table_names()
    engine.dispose()  # no connection left open (PostgreSQL copies only a database nobody is connected to)
    if tables:  # before the `try`: a database of someone else's is never emptied
        raise SystemExit(f"{make_url(url).database} is not empty ({len(tables)} tables): give an empty one")
    try:
        yield
    finally:
        engine = create_engine(url)
        with engine.begin() as connection:
            metadata = MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
        engine.dispose()
        log("tables dropped")


@contextlib.contextmanager
def copy_of(url: str, workdir: Path) -> Iterator[str]:
    """A copy of the database (no connection may be open on it), removed on the way out."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        target = workdir / "copy.sqlite"
        shutil.copyfile(parsed.database, target)
        assert not Path(parsed.database + "-wal").exists()  # checkpointed when the last connection closed
        yield parsed.set(database=str(target)).render_as_string(hide_password=False)
        return
    name = f"{parsed.database}_copy"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
        log(f"copied into database {name}")
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        log(f"dropped database {name}")


def build(engine: Engine, settings: Any, organizations: int) -> None:
    """The people, N organizations with a CLABE and a listing, and one completed, paid part each."""
    from sqlmodel import col, select

    import market.models  # noqa: F401  (every table, for the relationships)
    from market.accounts.schemas import Registration
    from market.accounts.service import register
    from market.catalog.schemas import ListingCreate
    from market.catalog.service import add_listing
    from market.db import transaction, utcnow
    from market.orders.checkout import checkout
    from market.orders.fulfillment import confirm_offline_payment, move
    from market.orders.models import Fulfillment
    from market.orders.schemas import Checkout
    from market.organizations.models import Membership, Organization, VerificationStatus
    from market.organizations.schemas import OrganizationCreate

    with transaction(engine) as session:
        admin = register(
            session,
            Registration(name="Equipo Tianguis", email="admin@bench.tianguis.demo", password=PASSWORD),
            is_admin=True,
            confirmed=True,
        )
        buyer = register(
            session,
            Registration(name="Eva Martínez", email="compras@bench.tianguis.demo", password=PASSWORD),
            confirmed=True,
        )
        owner = register(
            session,
            Registration(
                name="Coordinación productora", email="productora@bench.tianguis.demo", password=PASSWORD
            ),
            confirmed=True,
        )
        listings = []
        for n in range(organizations):
            data = OrganizationCreate(
                name=f"Cooperativa Cafetalera Señor de la Peña {n + 1}",
                legal_form="coop_produccion",
                state="07",
                municipality="Chenalhó",
                members_count=120,
                women_members_count=60,
                clabe=clabe_for(n),
            )
            organization = Organization(
                slug=f"cooperativa-{n + 1}",
                verification_status=VerificationStatus.VERIFIED,
                verified_at=utcnow(),
                **data.model_dump(),
            )
            session.add(organization)
            session.flush()
            assert organization.id is not None and owner.id is not None
            session.add(Membership(user_id=owner.id, organization_id=organization.id, role="owner"))
            listing = add_listing(
                session,
                organization,
                ListingCreate(
                    title=f"Café de altura tostado, lote {n + 1}",
                    description="Para el benchmark de la dispersión.",
                    category="cafe",
                    unit="kg",
                    price_cents=10000 + 37 * n,
                    stock=10,
                    status="active",
                ),
            )
            listings.append(listing.id)
    log(f"{organizations} organizations with a CLABE and a listing")
    for start in range(0, organizations, ITEMS_PER_ORDER):
        chunk = listings[start : start + ITEMS_PER_ORDER]
        with transaction(engine) as session:
            order = checkout(
                session,
                settings,
                buyer,
                Checkout(
                    items=[{"listing_id": lid, "quantity": 1} for lid in chunk],
                    payment_method="spei_transfer",
                ),
            )
        with transaction(engine) as session:
            confirm_offline_payment(session, admin, order.id or 0, f"BNET{order.id:06d}")
        with transaction(engine) as session:
            parts = session.exec(
                select(Fulfillment.id).where(Fulfillment.order_id == order.id).order_by(col(Fulfillment.id))
            ).all()
        for part in parts:
            with transaction(engine) as session:
                for step, actor in (
                    ("accepted", owner),
                    ("preparing", owner),
                    ("ready_for_pickup", owner),
                    ("delivered", buyer),
                    ("completed", buyer),
                ):
                    move(session, actor, part or 0, step)
        log(f"{start + len(chunk)} parts paid and completed")


def result_csv(lines: list[tuple[Any, Any]]) -> bytes:
    """The bank's result as its portal exports it: nine in ten sent, one in ten rejected."""
    from market.payments import dispersion_format as layout

    rows = ["Referencia,Cuenta destino,Importe,Estatus,Clave de rastreo,Motivo"]
    for n, (payout, _organization) in enumerate(lines):
        amount = layout.amount_field(payout.amount_cents).lstrip("0")
        if n % FAILED_EVERY == FAILED_EVERY - 1:
            rows.append(f"{payout.reference},{payout.clabe},{amount},RECHAZADA,,CUENTA INEXISTENTE")
        else:
            rows.append(f"{payout.reference},{payout.clabe},{amount},LIQUIDADA,BNET0100{payout.reference},")
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    import market.models  # noqa: F401
    from market.config import Settings
    from market.db import make_engine
    from market.migrate import upgrade

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'dispersion.sqlite'}"
    n = args.organizations
    figures: dict[str, Any] = {"organizations": n, "dialect": make_url(url).get_backend_name()}
    with emptied_afterwards(url):
        upgrade(url)
        settings = Settings(database_url=url, _env_file=None)
        engine = make_engine(url)
        started = time.perf_counter()
        build(engine, settings, n)
        figures["setup_s"] = round(time.perf_counter() - started, 1)
        engine.dispose()  # no connection open while it is copied
        with copy_of(url, workdir) as copy:
            measure(figures, settings, make_engine(url), make_engine(copy))
    figures["one_by_one_vs_generate"] = round(figures["one_by_one_s"] / figures["generate_s"], 1)
    return figures


def measure(figures: dict[str, Any], settings: Any, engine: Engine, copy_engine: Engine) -> None:
    """The dispersion's steps on `engine`, then the same payouts one by one on `copy_engine`."""
    from sqlmodel import Session, select

    from market.accounts.models import User
    from market.db import transaction
    from market.ledger import service as ledger
    from market.payments import dispersion as dispersions
    from market.payments import dispersion_format as layout
    from market.payments import service as payments

    n = figures["organizations"]

    def admin_in(session: Session) -> User:
        return session.exec(select(User).where(User.email == "admin@bench.tianguis.demo")).one()

    statements = Statements(engine)

    def preview() -> Any:
        with Session(engine) as session:
            return dispersions.preview(session, admin_in(session))

    plan = timed(figures, "preview", statements, preview)
    assert len(plan.lines) == n and not plan.skipped, (len(plan.lines), len(plan.skipped))
    amounts = {line.organization.id: line.amount_cents for line in plan.lines}

    def generate() -> int:
        with transaction(engine) as session:
            dispersion = dispersions.create(session, admin_in(session), settings.platform_clabe)
            return dispersion.id or 0

    dispersion_id = timed(figures, "generate", statements, generate)
    figures["generate_lines_per_s"] = round(n / figures["generate_s"], 1)

    with Session(engine) as session:
        lines = dispersions.lines_of(session, dispersion_id)
        transfers = [
            layout.Transfer(p.clabe or "", o.name, p.amount_cents, int(p.reference), "TIANGUIS SOLIDARIO")
            for p, o in lines
        ]
    timed(figures, "render", statements, lambda: layout.render(transfers, settings.platform_clabe))

    def download() -> bytes:
        with Session(engine) as session:
            return dispersions.file_of(session, admin_in(session), dispersion_id)[1]

    content = timed(figures, "download", statements, download)
    figures["file_bytes"] = len(content)
    assert len(content) == n * (layout.WIDTH + 2)

    result = timed(figures, "result_build", statements, lambda: result_csv(lines))
    figures["result_bytes"] = len(result)

    def apply() -> Any:
        with transaction(engine) as session:
            return dispersions.apply_result(session, admin_in(session), dispersion_id, result)

    report = timed(figures, "apply", statements, apply)
    figures["apply_lines_per_s"] = round(n / figures["apply_s"], 1)
    figures["sent"], figures["failed"] = len(report.sent), len(report.failed)
    again = timed(figures, "reapply", statements, apply)
    assert again.changed_nothing and len(again.already) == n
    with Session(engine) as session:
        figures["ledger_imbalance_cents"] = ledger.imbalance(session)
    engine.dispose()

    copy_statements = Statements(copy_engine)

    def one_by_one() -> None:
        with Session(copy_engine) as session:
            admin = admin_in(session)
            session.expunge(admin)
        for number, (organization_id, amount) in enumerate(sorted(amounts.items()), start=1):
            with transaction(copy_engine) as session:
                payments.pay_out(session, admin, organization_id or 0, amount, f"BNET{number:010d}")

    timed(figures, "one_by_one", copy_statements, one_by_one)
    figures["one_by_one_per_payout_ms"] = round(figures["one_by_one_s"] * 1000 / n, 2)
    with Session(copy_engine) as session:
        assert ledger.imbalance(session) == 0
    copy_engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=500)
    args = parser.parse_args()
    return run_and_report(lambda workdir: run(args, workdir), "bench-dispersion-")


if __name__ == "__main__":
    raise SystemExit(main())
