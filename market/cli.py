"""The `market` command: serve, migrate, seed, create-admin, confirm-email, import-listings, worker, email,
invoices."""

from __future__ import annotations

import getpass
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
import uvicorn
from rich.console import Console

from market.catalog.search_index import engine_for
from market.config import Settings
from market.db import make_engine, transaction
from market.serving import IdleClosingProtocol

if TYPE_CHECKING:
    from fastapi import FastAPI


def configure_logging() -> None:
    """One line per record, with the request id of the request that wrote it ("-" outside requests)."""
    from market.metrics import RequestIdFilter

    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


app = typer.Typer(help="Tianguis Solidario", no_args_is_help=True, add_completion=False)
seed_app = typer.Typer(help="Load demo or synthetic data.", no_args_is_help=True)
app.add_typer(seed_app, name="seed")
search_app = typer.Typer(help="Search index maintenance.", no_args_is_help=True)
app.add_typer(search_app, name="search")
email_app = typer.Typer(help="E-mail: check that messages leave.", no_args_is_help=True)
app.add_typer(email_app, name="email")
invoices_app = typer.Typer(
    help="Invoices (CFDI): the month's global and commission invoices.", no_args_is_help=True
)
app.add_typer(invoices_app, name="invoices")
console = Console()


def _migrate(settings: Settings) -> None:
    from market.migrate import upgrade

    upgrade(settings.database_url)


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    _migrate(Settings())
    console.print("[green]Database is up to date.[/green]")


def default_workers(settings: Settings) -> int:
    """One app process per core on PostgreSQL; SQLite (the embedded default) serves from one process."""
    return 1 if settings.database_url.startswith("sqlite") else max(os.cpu_count() or 1, 1)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind"),
    port: int = typer.Option(8000, help="Port"),
    demo: bool = typer.Option(False, help="Load the demo catalog first if the database is empty"),
    worker: bool = typer.Option(True, help="Run the outbox worker in this process (one app process only)"),
    workers: int | None = typer.Option(
        None, min=1, help="App processes (default: one per core on PostgreSQL, one on SQLite)"
    ),
) -> None:
    """Apply migrations (once), then serve the marketplace from one or several processes."""
    from market.app import create_app

    configure_logging()
    settings = Settings()
    processes = workers or default_workers(settings)
    if processes > 1 and settings.database_url.startswith("sqlite"):
        console.print("[red]SQLite serves from one process: use PostgreSQL (DATABASE_URL) for more.[/red]")
        raise typer.Exit(2)
    _migrate(settings)
    if demo:
        from market.seed import load_demo_if_empty

        with transaction(make_engine(settings.database_url)) as session:
            if accounts := load_demo_if_empty(session):
                _print_accounts(accounts)
    console.print(f"Tianguis Solidario → [bold]http://{host}:{port}[/bold]")
    if processes > 1:  # each builds its app from the same settings; the outbox runs in `market worker`
        console.print(f"{processes} app processes; run `market worker` for the background work.")
        uvicorn.run(
            "market.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=processes,
            **server_options(settings),
        )
        return
    application = create_app(settings)
    if worker:
        from market import worker as background

        background.start_in_background(application.state.engine, application.state.search, settings)
    uvicorn.Server(server_config(application, settings, host, port)).run()


def server_options(settings: Settings) -> dict[str, Any]:
    """How `market serve` runs the app. The client address (what log-in throttling counts) is the
    connecting one, unless it connects from FORWARDED_ALLOW_IPS, the proxy in front: then it is the address
    that proxy put in X-Forwarded-For. A header from anyone else is ignored, so no one can forge theirs.
    Requests in flight are limited by the app (market.serving.RequestLimit), idle connections closed here."""
    trusted = settings.forwarded_allow_ips.strip()
    return {
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
        "http": IdleClosingProtocol,
        "timeout_keep_alive": settings.idle_timeout_seconds,
        "access_log": False,  # market.metrics.RequestObserver logs each request once, with its request id
    }


def server_config(application: FastAPI, settings: Settings, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(application, host=host, port=port, **server_options(settings))


@app.command()
def worker() -> None:
    """Run the outbox worker (search index updates, e-mails) until interrupted."""
    from market import worker as background

    configure_logging()
    settings = Settings()
    console.print("Outbox worker running; Ctrl+C to stop.")
    background.run(make_engine(settings.database_url), engine_for(settings), settings)


@app.command()
def reindex() -> None:
    """Rebuild the whole search index into a new one and swap it in (no downtime)."""
    from rich.progress import Progress
    from sqlmodel import Session

    from market.catalog.search_documents import count_public
    from market.catalog.search_index import reindex as run_reindex

    settings = Settings()
    db, search = make_engine(settings.database_url), engine_for(settings)
    with Session(db) as session:
        expected = count_public(session)
    with Progress(console=console) as progress:
        task = progress.add_task(f"Indexing listings into {search.name}", total=expected)
        count = run_reindex(db, search, lambda n: progress.advance(task, n))
    console.print(f"[green]{count} listings indexed; the new index is live.[/green]")


@app.command("impact-rebuild")
def impact_rebuild() -> None:
    """Recompute the impact figures' sums from the whole ledger (after changing PAYMENT_COST_RATES)."""
    from market.db import transaction
    from market.impact import rollup

    settings = Settings()
    with transaction(make_engine(settings.database_url)) as session:
        rows = rollup.rebuild(session, settings)
    console.print(f"[green]Impact figures recomputed from the ledger: {rows} rows.[/green]")


@search_app.command("check")
def search_check(repair: bool = typer.Option(False, help="Fix the differences found")) -> None:
    """Compare the search index with the database: missing, extra and stale documents."""
    from sqlmodel import Session

    from market.catalog.search_index import check
    from market.catalog.search_index import repair as run_repair

    settings = Settings()
    search = engine_for(settings)
    with Session(make_engine(settings.database_url)) as session:
        differences = check(session, search)
        for name in ("missing", "extra", "stale"):
            ids = getattr(differences, name)
            console.print(f"{name}: {len(ids)}" + (f"  e.g. {ids[:10]}" if ids else ""))
        if differences.total and repair:
            run_repair(session, search, differences)
            console.print("[green]Repaired.[/green]")
        elif differences.total:
            raise typer.Exit(1)
        else:
            console.print("[green]The index matches the database.[/green]")


def _print_accounts(accounts: list[tuple[str, str, str]]) -> None:
    console.print("[bold]Demo accounts[/bold] (role, e-mail, password):")
    for role, email, password in accounts:
        console.print(f"  {role:<24} {email:<44} {password}", soft_wrap=True)


@seed_app.command("demo")
def seed_demo() -> None:
    """Load the demo catalog: producers across Mexico, their listings, and an account per persona."""
    from market.seed import load_demo

    settings = Settings()
    _migrate(settings)
    with transaction(make_engine(settings.database_url)) as session:
        accounts = load_demo(session)
    _print_accounts(accounts)


@seed_app.command("synthetic")
def seed_synthetic(listings: int = typer.Option(100_000, help="How many listings to generate")) -> None:
    """Generate many synthetic listings quickly (for benchmarks)."""
    from market.seed import load_synthetic

    settings = Settings()
    _migrate(settings)
    load_synthetic(make_engine(settings.database_url), listings)


@app.command("create-admin")
def create_admin(
    email: str,
    name: str | None = typer.Option(None, help="Name for a new account"),
    password: str | None = typer.Option(
        None, envvar="MARKET_ADMIN_PASSWORD", help="Password for a new account"
    ),
) -> None:
    """Make EMAIL a platform administrator (creating the account if it does not exist)."""
    from market.accounts.service import make_admin
    from market.errors import MarketError

    settings = Settings()
    _migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            from sqlmodel import select

            from market.accounts.models import User

            exists = session.exec(select(User).where(User.email == email.lower())).first() is not None
            if not exists and password is None:
                password = getpass.getpass("Password for the new administrator: ")
            make_admin(session, email, name, password)
    except (MarketError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"[green]{email} is an administrator.[/green]")


@app.command("confirm-email")
def confirm_email(email: str) -> None:
    """Confirm EMAIL's address by hand (support: the person could not open the link we sent)."""
    from market.accounts.confirmation import confirm_by_address
    from market.errors import MarketError

    settings = Settings()
    _migrate(settings)
    try:
        with transaction(make_engine(settings.database_url)) as session:
            confirm_by_address(session, email)
    except MarketError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"[green]{email} is confirmed: they may now buy, quote and register organizations.[/green]")


@app.command("import-listings")
def import_listings(
    organization: str = typer.Argument(..., help="Organization slug"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    as_user: str = typer.Option(..., "--as", help="E-mail of a member of the organization"),
) -> None:
    """Import listings from a CSV file or an Excel workbook; nothing is written unless every row is valid."""
    from sqlmodel import select

    from market.accounts.models import User
    from market.catalog.csv_import import ImportRejected
    from market.catalog.csv_import import import_listings as run_import
    from market.errors import MarketError
    from market.organizations.service import get_by_slug

    settings = Settings()
    _migrate(settings)
    try:
        with transaction(make_engine(settings.database_url)) as session:
            user = session.exec(select(User).where(User.email == as_user.lower())).first()
            if user is None:
                raise typer.BadParameter(f"no user {as_user}")
            created = run_import(session, user, get_by_slug(session, organization), file.read_bytes())
    except ImportRejected as exc:
        for error in exc.errors:
            console.print(f"[red]row {error.row}[/red] {error.column}: {error.message}")
        console.print("[red]Nothing was imported.[/red]")
        raise typer.Exit(1) from None
    except MarketError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"[green]Imported {len(created)} listings.[/green]")


@email_app.command("test")
def email_test(address: str) -> None:
    """Send a test message to ADDRESS now: over SMTP when SMTP_HOST is set, else into the local mailbox."""
    from rich.markup import escape

    from market.errors import MarketError
    from market.mail.admin import send_test
    from market.mail.models import EmailStatus
    from market.urls import path_for

    settings = Settings()
    _migrate(settings)
    try:
        sent = send_test(make_engine(settings.database_url), settings, address)
    except MarketError as exc:
        console.print(f"[red]{escape(str(exc))}[/red] Nothing was sent.")
        raise typer.Exit(2) from None
    if sent.sent_by == "smtp":
        console.print(
            f"[green]Sent to {address} over SMTP ({settings.smtp_host}:{settings.smtp_port}).[/green]"
        )
    elif sent.sent_by == "mailbox":
        page = settings.base_url.rstrip("/") + path_for("admin.mail_message", email_id=sent.email_id)
        console.print(
            f"[green]Kept in the local mailbox (no SMTP_HOST is set): read it at {page}[/green]",
            soft_wrap=True,
        )
    else:
        console.print(f"[red]Not sent ({sent.status.value}): {escape(sent.error or '')}[/red]")
        if sent.status == EmailStatus.QUEUED:
            console.print("The message stays in the queue: the worker will try again.")
        raise typer.Exit(1)


@invoices_app.command("global")
def invoices_global(
    mes: str = typer.Option(..., "--mes", help="The month that ended, as year-month: 2026-11"),
) -> None:
    """Write each producer's global invoice (público en general) for a month that is over; the worker then
    seals and stamps them."""
    from rich.markup import escape

    from market.errors import MarketError
    from market.invoicing import global_invoice
    from market.organizations.models import Organization

    settings = Settings()
    _migrate(settings)
    try:
        with transaction(make_engine(settings.database_url)) as session:
            written = global_invoice.gather(session, mes)
            names = {i.id: session.get_one(Organization, i.organization_id).name for i in written}
    except MarketError as exc:
        fields = exc.body().get("fields")
        console.print(f"[red]{escape(' '.join(fields.values()) if fields else exc.detail)}[/red]")
        raise typer.Exit(2) from None
    if not written:
        console.print(f"No public sales of {mes} left to gather: nothing written.")
    for invoice in written:
        console.print(
            f"Global invoice {invoice.id} for {mes}: {escape(names[invoice.id])}, "
            f"${invoice.total_cents / 100:,.2f}, forma de pago {invoice.forma_pago}, por timbrar",
            soft_wrap=True,
        )


@invoices_app.command("commissions")
def invoices_commissions(
    month: str = typer.Option(..., "--mes", help="The month, as 2026-11 (Mexico City's calendar)"),
) -> None:
    """Write the platform's commission invoices of an ended month (the worker issues them): once per
    organization, however often it runs."""
    from rich.markup import escape

    from market.errors import MarketError
    from market.invoicing.commission import issue_commissions

    settings = Settings()
    try:
        with transaction(make_engine(settings.database_url)) as session:
            written = issue_commissions(session, settings, month)
            total = sum(invoice.total_cents for invoice in written)
    except MarketError as exc:
        console.print(f"[red]{escape(str(exc))}[/red] Nothing was written.")
        raise typer.Exit(1) from None
    console.print(
        f"[green]{len(written)} commission invoices written for {month} (${total / 100:,.2f}); "
        "the worker seals and stamps them.[/green]"
    )
