"""The `market` command against the test database: admins, CSV import, demo and synthetic data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from market.accounts.models import User
from market.catalog.models import Listing
from market.cli import app
from market.demo import load_marketplace
from market.mail.models import Email, EmailStatus
from market.organizations.models import Organization
from tests.fixtures.smtp import SmtpServer
from tests.helpers import count
from tests.spreadsheets import NOT_TABLES, xlsx_bytes


@pytest.fixture
def run(database_url: str, engine: Any, tmp_path: Path) -> Any:
    runner = CliRunner()
    env = {"DATABASE_URL": database_url, "MEDIA_DIR": str(tmp_path / "media")}

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), env=env)

    return invoke


def smtp_env(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    """The command's settings pointed at the test SMTP server, as an operator would set them."""
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none"}.items():
        monkeypatch.setenv(name, value)


def test_create_admin_creates_or_promotes(run: Any, session: Session, make_user: Any) -> None:
    result = run("create-admin", "Jefa@Tianguis.mx", "--password", "una-contraseña-larga")
    assert result.exit_code == 0, result.output
    assert session.exec(select(User).where(User.email == "jefa@tianguis.mx")).one().is_admin

    make_user("ana@example.mx")
    assert run("create-admin", "ana@example.mx").exit_code == 0
    session.expire_all()
    assert session.exec(select(User).where(User.email == "ana@example.mx")).one().is_admin


def test_administrators_accounts_are_confirmed(run: Any, session: Session, make_user: Any) -> None:
    make_user("ana@example.mx", confirmed=False)

    assert run("create-admin", "jefa@tianguis.mx", "--password", "una-contraseña-larga").exit_code == 0
    assert run("create-admin", "ana@example.mx").exit_code == 0

    assert count(session, User, col(User.email_confirmed_at).is_(None)) == 0
    assert count(session, User) == 2


def test_confirm_email_by_hand(run: Any, session: Session, make_user: Any) -> None:
    make_user("ana@example.mx", confirmed=False)

    result = run("confirm-email", " Ana@Example.MX ")

    assert result.exit_code == 0, result.output
    assert "confirmed" in result.output
    session.expire_all()
    assert session.exec(select(User)).one().email_confirmed
    assert run("confirm-email", "ana@example.mx").exit_code == 0  # again: nothing to do, no error


def test_confirm_email_of_an_unknown_address_fails(run: Any, session: Session) -> None:
    result = run("confirm-email", "nadie@example.mx")

    assert result.exit_code == 1
    assert "No hay ninguna cuenta con ese correo." in result.output


def test_create_admin_rejects_a_short_password(run: Any, session: Session) -> None:
    result = run("create-admin", "jefa@tianguis.mx", "--password", "corta")
    assert result.exit_code == 1
    assert count(session, User) == 0


def test_import_listings_is_all_or_nothing(
    run: Any, session: Session, make_user: Any, make_org: Any, tmp_path: Path
) -> None:
    org = make_org(make_user("ana@example.mx"))
    good = (
        "titulo,categoria,unidad,precio,existencias\n"
        "Café tostado 1 kg,cafe,kg,320,50\n"
        "Miel 1 kg,miel,kg,210.5,20\n"
    )
    bad = good + "Mezcal,mezcal-destilados,botella,700,10\n"
    (tmp_path / "bad.csv").write_text(bad)
    (tmp_path / "good.csv").write_text(good)

    result = run("import-listings", org.slug, str(tmp_path / "bad.csv"), "--as", "ana@example.mx")
    assert result.exit_code == 1
    assert "row 4" in result.output and "unidad" in result.output
    assert count(session, Listing) == 0

    result = run("import-listings", org.slug, str(tmp_path / "good.csv"), "--as", "ana@example.mx")
    assert result.exit_code == 0, result.output
    assert count(session, Listing) == 2
    assert count(session, Listing, Listing.price_cents == 21050) == 1


def test_import_listings_reads_an_excel_workbook(
    run: Any, session: Session, make_user: Any, make_org: Any, tmp_path: Path
) -> None:
    org = make_org(make_user("ana@example.mx"))
    rows: list[list[Any]] = [
        ["Título", "Categoría", "Unidad", "Precio", "Existencias"],
        ["Café tostado 1 kg", "cafe", "kg", 320, 50],
    ]
    (tmp_path / "productos.xlsx").write_bytes(xlsx_bytes(rows))

    result = run("import-listings", org.slug, str(tmp_path / "productos.xlsx"), "--as", "ana@example.mx")

    assert result.exit_code == 0, result.output
    assert count(session, Listing, Listing.price_cents == 32000, Listing.stock == 50) == 1


@pytest.mark.parametrize("kind", ["png", "random-bytes", "empty"])
def test_import_listings_says_what_is_wrong_with_a_file_that_is_no_table(
    run: Any, session: Session, make_user: Any, make_org: Any, tmp_path: Path, kind: str
) -> None:
    org = make_org(make_user("ana@example.mx"))
    name, content, message = NOT_TABLES[kind]
    (tmp_path / name).write_bytes(content)

    result = run("import-listings", org.slug, str(tmp_path / name), "--as", "ana@example.mx")

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)  # a message, no traceback
    assert message in " ".join(result.output.split())
    assert count(session, Listing) == 0


def test_import_listings_refuses_a_non_member(
    run: Any, session: Session, make_user: Any, make_org: Any, tmp_path: Path
) -> None:
    org = make_org(make_user("ana@example.mx"))
    make_user("otra@example.mx")
    (tmp_path / "good.csv").write_text("titulo,categoria,unidad,precio\nCafé,cafe,kg,320\n")
    result = run("import-listings", org.slug, str(tmp_path / "good.csv"), "--as", "otra@example.mx")
    assert result.exit_code == 1
    assert count(session, Listing) == 0


def test_seed_demo_loads_a_realistic_catalog_once(run: Any, session: Session) -> None:
    result = run("seed", "demo")
    assert result.exit_code == 0, result.output
    assert "admin@tianguis.demo" in result.output
    orgs = session.exec(select(Organization)).all()
    assert len(orgs) >= 15
    assert len({o.state for o in orgs}) >= 10
    assert len({o.legal_form for o in orgs}) >= 6
    assert count(session, Listing) >= 120
    assert count(session, Organization, Organization.verification_status == "pending") >= 1
    # People trying the product buy, quote and register at once: every demo account is confirmed.
    assert count(session, User) >= 3
    assert count(session, User, col(User.email_confirmed_at).is_(None)) == 0
    categories = session.exec(select(Listing.category).distinct()).all()
    assert len(categories) >= 12
    # Just what the data file says: its organizations, those still pending, all their listings.
    demo = load_marketplace()
    assert {o.slug for o in orgs} == {o.slug for o in demo.organizations}
    pending = {o.slug for o in orgs if o.verification_status == "pending"}
    assert pending == {o.slug for o in demo.organizations if o.pending}
    assert count(session, Listing) == sum(len(o.listings) for o in demo.organizations)

    listings_before = count(session, Listing)
    assert run("seed", "demo").exit_code == 0
    assert count(session, Listing) == listings_before  # idempotent


def test_seed_synthetic_inserts_the_requested_number(run: Any, session: Session) -> None:
    result = run("seed", "synthetic", "--listings", "1234")
    assert result.exit_code == 0, result.output
    assert count(session, Listing) == 1234
    assert count(session, Listing, col(Listing.status) != "active") == 0


def test_email_test_sends_over_smtp_at_once(
    run: Any, session: Session, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp_env(monkeypatch, smtp_server.port)

    result = run("email", "test", " Ana@Example.MX ")

    assert result.exit_code == 0, result.output
    assert "over SMTP" in result.output
    (received,) = smtp_server.received
    assert received.recipients == ["Ana@example.mx"]
    assert received.message["Subject"] == "Prueba de correo de Tianguis Solidario"
    (email,) = session.exec(select(Email)).all()
    assert (email.kind, email.status, email.message_id) == (
        "test",
        EmailStatus.SENT,
        received.message["Message-ID"],
    )


def test_email_test_with_the_server_down_fails_and_keeps_the_message(
    run: Any, session: Session, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp_env(monkeypatch, smtp_server.port)
    smtp_server.stop()

    result = run("email", "test", "ana@example.mx")

    assert result.exit_code == 1
    assert "Not sent" in result.output and "Connection" in result.output
    assert "stays in the queue" in result.output
    (email,) = session.exec(select(Email)).all()
    assert email.status == EmailStatus.QUEUED and email.tries == 1 and email.last_error


def test_email_test_without_smtp_keeps_it_in_the_local_mailbox(run: Any, session: Session) -> None:
    result = run("email", "test", "ana@example.mx")

    assert result.exit_code == 0, result.output
    (email,) = session.exec(select(Email)).all()
    assert "local mailbox" in result.output and f"/admin/correos/{email.id}" in result.output
    assert email.status == EmailStatus.SENT and email.subject == "Prueba de correo de Tianguis Solidario"


@pytest.mark.parametrize("address", ["ana", "ana@", "ana@example..mx", ""])
def test_email_test_refuses_what_is_no_address(run: Any, session: Session, address: str) -> None:
    result = run("email", "test", address)

    assert result.exit_code != 0
    assert "no es una dirección de correo válida" in result.output
    assert count(session, Email) == 0
