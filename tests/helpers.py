"""What the tests share besides fixtures: signing in (a form, a browser of one's own, an API token), reading
the database afresh (counts, rows, the e-mails in the outbox), running the worker's jobs, the data of a
well-formed organization, listing, institution and demand, and the services a test may need
(`require_service`)."""

from __future__ import annotations

import itertools
import os
import random
import re
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, func, select

from market.accounts.models import User
from market.catalog.models import Listing
from market.config import Settings
from market.db import utcnow
from market.linking import buyers, demands
from market.linking.models import BuyerInvitation, BuyerMembership, BuyerOrganization, Demand
from market.linking.schemas import BuyerOrganizationCreate, DemandCreate
from market.mail.models import Email
from market.mail.render import render
from market.orders.models import Fulfillment, Order
from market.organizations.models import VerificationStatus
from market.outbox import process_batch

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "contraseña-segura-1"  # every person the factories make has it
REQUIRE_SERVICES = os.environ.get("MARKET_REQUIRE_SERVICES") == "1"

# A well-formed CLABE of no real account (bank 002, the platform's demo account too).
CLABE = "002010077777777771"

ORG_DEFAULTS: dict[str, Any] = {
    "name": "Cooperativa Flor de Café",
    "legal_form": "coop_produccion",
    "rfc": "CFC050312AB4",
    "state": "07",
    "municipality": "Chenalhó",
    "members_count": 120,
    "women_members_count": 60,
}

# A new listing as its page's form is filled in (the price in pesos, as typed).
LISTING_FORM: dict[str, str] = {
    "title": "Miel multifloral 1 kg",
    "category": "miel",
    "kind": "good",
    "unit": "kg",
    "price": "185.50",
    "minimum_order": "1",
    "lead_time_days": "0",
    "pickup": "on",
}

LISTING_DEFAULTS: dict[str, Any] = {
    "title": "Café de altura tostado en grano",
    "description": "Café arábica de sombra, tostado medio.",
    "category": "cafe",
    "unit": "kg",
    "price_cents": 32000,
    "stock": 100,
    "status": "active",
}

# Institutions (buyer organizations), as their form is filled in: a school and a hospital in Oaxaca.
SCHOOL: dict[str, str] = {
    "name": "Escuela Primaria Benito Juárez",
    "kind": "school",
    "rfc": "EPB850101AB1",
    "razon_social": "Escuela Primaria Benito Juárez A.C.",
    "regimen_fiscal": "603",
    "codigo_postal": "68000",
    "uso_cfdi": "G01",
    "state": "20",
    "municipality": "Oaxaca de Juárez",
}
INSTITUTION: dict[str, str] = SCHOOL | {
    "name": "Hospital Civil de Oaxaca",
    "kind": "hospital",
    "rfc": "HCO850101AB1",
    "razon_social": "Hospital Civil de Oaxaca",
    "uso_cfdi": "G03",
}


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose service is missing on a laptop; in CI (MARKET_REQUIRE_SERVICES=1) fail instead."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


# Test servers listen below the kernel's range for outgoing ports (32768–60999 on Linux): a port the
# kernel picked for us could go to a client's socket (a test talking to PostgreSQL) before the server
# binds it. Each pytest-xdist worker has its own slice, walked from a random start so side-by-side runs
# rarely meet.
_SERVER_PORTS = range(20000, 32000)


def _port_candidates() -> Iterator[int]:
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    size = len(_SERVER_PORTS) // workers
    first = _SERVER_PORTS.start + worker * size
    offset = random.randrange(size)
    for step in itertools.count():
        yield first + (offset + step) % size


_ports = _port_candidates()


def free_port() -> int:
    """A loopback port nothing listens on and no other test worker will be given."""
    for port in _ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("unreachable")


def at_once(action: Callable[[], str], times: int = 2) -> list[str]:
    """Run `action` in `times` threads released together (as two requests arriving at the same moment);
    what each returned, sorted. A thread that raised returns nothing, so the list comes out short."""
    start, outcomes = threading.Barrier(times), []

    def run() -> None:
        start.wait()
        outcomes.append(action())

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sorted(outcomes)


# --- signing in -----------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/entrar") -> str:
    match = CSRF_RE.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/entrar", data={"email": email, "password": password, "csrf_token": csrf_of(client)}
    )
    assert response.status_code == 303, response.text


def signed_in(app: FastAPI, email: str) -> TestClient:
    """A browser of its own for one person, signed in."""
    client = TestClient(app, follow_redirects=False)
    log_in(client, email)
    return client


TOKENS = "/api/v1/auth/tokens"  # where the API hands out tokens for an e-mail and password


def api_token(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post(TOKENS, json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def can_log_in(client: TestClient, email: str, password: str) -> bool:
    """Whether the API hands out a token for this e-mail and password."""
    return client.post(TOKENS, json={"email": email, "password": password}).status_code == 201


# --- the database, read afresh ----------------------------------------------------------------------

Row = TypeVar("Row", bound=SQLModel)


def count(session: Session, model: type[SQLModel], *where: Any) -> int:
    """How many rows of `model` (that match `where`) the database holds now."""
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def fresh(session: Session, model: type[Row], id_: int | None) -> Row:
    """The row as the database holds it now."""
    session.expire_all()
    row = session.get(model, id_)
    assert row is not None, f"no {model.__name__} {id_}"
    return row


def stock(session: Session, listing: Listing) -> int | None:
    session.expire_all()
    return session.exec(select(Listing.stock).where(Listing.id == listing.id)).one()


TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123"
# The settings e-mails are rendered with when a test reads them (the app's defaults: same links).
MAIL_SETTINGS = Settings(environment="test", secret_key=TEST_SECRET_KEY, _env_file=None)


def as_received(email: Email) -> dict[str, Any]:
    """An e-mail as its recipient reads it: {"to", "kind", "subject", "body" (the text part), "html",
    "link" (the path of its main action)}."""
    rendered = render(email, MAIL_SETTINGS)
    return {
        "to": email.to_address,
        "kind": email.kind,
        "subject": rendered.subject,
        "body": rendered.text,
        "html": rendered.html,
        "link": email.context.get("link"),
    }


def html_words(html: str) -> str:
    """An HTML part's words, without its tags (amounts and names sit in cells of their own)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def emails(session: Session) -> list[dict[str, Any]]:
    """Every e-mail queued (or sent), oldest first, as its recipient reads it."""
    session.expire_all()
    return [as_received(email) for email in session.exec(select(Email).order_by(col(Email.id)))]


def emails_to(session: Session, address: str) -> list[dict[str, Any]]:
    return [email for email in emails(session) if email["to"] == address]


# What any request may touch whatever it does: when an API token was last used, failed log-ins.
BOOKKEEPING_TABLES = {"apitoken", "loginattempt"}


def database_state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the bookkeeping: a refused action must leave it exactly as it was."""
    with engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(table.select()).all()), key=repr)
            for table in SQLModel.metadata.sorted_tables
            if table.name not in BOOKKEEPING_TABLES
        }


# --- institutions -----------------------------------------------------------------------------------


def make_institution(session: Session, person: User, data: dict[str, str] = INSTITUTION) -> BuyerOrganization:
    """A verified institution (buyer organization) whose owner is `person`."""
    institution = buyers.create(session, person, BuyerOrganizationCreate(**data))
    institution.verification_status, institution.verified_at = VerificationStatus.VERIFIED, utcnow()
    session.commit()
    return institution


def add_to_institution(
    session: Session, buyer: BuyerOrganization, person: User, role: str = "member"
) -> None:
    """Make `person` a member of `buyer` directly, as if they had accepted an invitation (the setting of a
    test; the app itself adds nobody without their acceptance)."""
    assert buyer.id is not None and person.id is not None
    session.add(BuyerMembership(user_id=person.id, buyer_organization_id=buyer.id, role=role))
    session.flush()


def join_institution(
    client: TestClient,
    session: Session,
    buyer_id: int,
    owner: dict[str, str],
    email: str,
    role: str = "member",
) -> dict[str, str]:
    """Through the API: an owner invites `email` (who has an account), who accepts; their token headers."""
    invited = client.post(
        f"/api/v1/buyer-organizations/{buyer_id}/invitations",
        headers=owner,
        json={"email": email, "role": role},
    )
    assert invited.status_code == 201, invited.text
    session.expire_all()
    token = session.exec(
        select(BuyerInvitation.token).where(BuyerInvitation.id == invited.json()["id"])
    ).one()
    headers = api_token(client, email)
    accepted = client.post(f"/api/v1/buyer-organizations/invitations/{token}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text
    return headers


def demand_fields() -> dict[str, Any]:
    """A school's demand (DemandCreate's fields): 200 kg of coffee delivered in Oaxaca, first in 20 days,
    quotes taken for 5 days."""
    return {
        "title": "Café para la cooperativa escolar",
        "category": "cafe",
        "quantity": 200,
        "unit": "kg",
        "delivery_state": "20",
        "delivery_municipality": "Oaxaca de Juárez",
        "delivery_address": "Calle Hidalgo 12, Centro, 68000",
        "first_delivery": date.today() + timedelta(days=20),
        "quote_deadline": utcnow() + timedelta(days=5),
    }


def open_demand(session: Session, buyer: User, institution: BuyerOrganization, **overrides: Any) -> Demand:
    """A demand of `institution` (demand_fields() | overrides) that `buyer` posted, open for quotes."""
    demand = demands.create(session, buyer, institution, DemandCreate(**(demand_fields() | overrides)))
    demands.open_for_quotes(session, buyer, demand)
    session.commit()
    return demand


# --- the worker's jobs ------------------------------------------------------------------------------


def account_emails(app: FastAPI) -> list[dict[str, Any]]:
    """Run the worker's handler of e-mails with a single-use link (reset, confirmation) on what is due: the
    e-mails it queued, as their recipients read them."""
    from market.accounts import emails as account_mail

    with Session(app.state.engine) as session:
        before = session.exec(select(func.max(Email.id))).one() or 0
        process_batch(app.state.engine, {account_mail.TOPIC: account_mail.handler(app.state.settings)})
        queued = session.exec(select(Email).where(col(Email.id) > before).order_by(col(Email.id)))
        return [as_received(email) for email in queued]


def run_search_worker(app: FastAPI) -> int:
    """What the worker does after a commit: apply pending search changes (returns how many)."""
    from market.catalog.search_index import apply_search_events

    done = 0
    while n := apply_search_events(app.state.engine, app.state.search):
        done += n
    return done


def part_of(session: Session, order: Order, organization_id: int | None) -> Fulfillment:
    """The part (fulfillment) of `order` that this organization fills, as the database has it now."""
    session.expire_all()
    return session.exec(
        select(Fulfillment).where(
            Fulfillment.order_id == order.id, Fulfillment.organization_id == organization_id
        )
    ).one()
