"""Fixtures: a migrated database (SQLite, or PostgreSQL via MARKET_TEST_DATABASE_URL), the app, clients,
factories, and real services (Meilisearch, Chromium) that skip when absent, unless
MARKET_REQUIRE_SERVICES=1 makes them fail."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import market.models  # noqa: F401
from market.accounts.models import User
from market.accounts.schemas import Registration
from market.accounts.service import register
from market.app import create_app
from market.catalog.models import Listing
from market.catalog.schemas import ListingCreate
from market.catalog.service import add_listing
from market.config import Settings
from market.db import make_engine, utcnow
from market.migrate import upgrade
from market.organizations.models import Membership, Organization
from market.organizations.schemas import OrganizationCreate
from market.outbox import process_batch
from market.slugs import slugify

pytest_plugins = ["tests.pages"]  # the `htmx` fixture
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "contraseña-segura-1"
REQUIRE_SERVICES = os.environ.get("MARKET_REQUIRE_SERVICES") == "1"


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose service is missing on a laptop; in CI (MARKET_REQUIRE_SERVICES=1) fail instead."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- localstripe ----------------------------------------------------------------------------------

# localstripe's own launcher listens on every interface; this one binds the loopback only.
LOCALSTRIPE = (
    "import sys; from aiohttp import web; from localstripe.server import app; "
    "web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None)"
)


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """A real localstripe server (the `localstripe` package) on a free loopback port."""
    try:
        import localstripe as _localstripe  # noqa: F401
    except ImportError:
        require_service(False, "localstripe is not installed (pip install -e '.[dev]')")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-c", LOCALSTRIPE, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(200):
        try:
            httpx.get(f"{url}/v1/balance", timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        process.terminate()
        pytest.fail("localstripe did not start")
    yield url
    process.terminate()
    process.wait(10)


# --- database -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("MARKET_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db')}/test.db"
    upgrade(url)  # the migrations themselves are under test on every run
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def clean_tables(engine: Engine) -> None:
    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "engine" in request.fixturenames:
        clean_tables(request.getfixturevalue("engine"))


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


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


# --- application ----------------------------------------------------------------------------------


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-0123",
        media_dir=tmp_path / "media",
        search_db_path=tmp_path / "search.db",
        impact_max_age_seconds=0,  # the impact figures follow every sale at once
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


# --- factories ------------------------------------------------------------------------------------


@pytest.fixture
def make_user(session: Session) -> Any:
    def make(
        email: str = "ana@example.mx", name: str = "Ana López", is_admin: bool = False, confirmed: bool = True
    ) -> User:
        """A person who may do everything people do; `confirmed=False`: one who has not yet opened the
        link of the confirmation e-mail."""
        account = Registration(name=name, email=email, password=PASSWORD)
        user = register(session, account, is_admin=is_admin, confirmed=confirmed)
        session.commit()
        return user

    return make


ORG_DEFAULTS: dict[str, Any] = {
    "name": "Cooperativa Flor de Café",
    "legal_form": "coop_produccion",
    "rfc": "CFC050312AB4",
    "state": "07",
    "municipality": "Chenalhó",
    "members_count": 120,
    "women_members_count": 60,
}


@pytest.fixture
def make_org(session: Session) -> Any:
    def make(owner: User, status: str = "verified", **overrides: Any) -> Organization:
        data = OrganizationCreate(**(ORG_DEFAULTS | overrides))
        org = Organization(
            slug=slugify(data.name),
            verification_status=status,
            **data.model_dump(),
            verified_at=utcnow() if status == "verified" else None,
        )
        session.add(org)
        session.flush()
        assert org.id is not None and owner.id is not None
        session.add(Membership(user_id=owner.id, organization_id=org.id, role="owner"))
        session.commit()
        return org

    return make


LISTING_DEFAULTS: dict[str, Any] = {
    "title": "Café de altura tostado en grano",
    "description": "Café arábica de sombra, tostado medio.",
    "category": "cafe",
    "unit": "kg",
    "price_cents": 32000,
    "stock": 100,
    "status": "active",
}


@pytest.fixture
def make_listing(session: Session) -> Any:
    def make(org: Organization, **overrides: Any) -> Listing:
        listing = add_listing(session, org, ListingCreate(**(LISTING_DEFAULTS | overrides)))
        session.commit()
        return listing

    return make


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


def api_token(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def account_emails(app: FastAPI) -> list[dict[str, Any]]:
    """Run the worker's handler of e-mails with a single-use link (reset, confirmation) on what is due: the
    e-mails it hands to the delivery, {"to", "subject", "body", "link"}."""
    from market.accounts import emails

    sent: list[dict[str, Any]] = []
    handler = emails.handler(app.state.settings, lambda _session, payload: sent.append(payload))
    process_batch(app.state.engine, {emails.TOPIC: handler})
    return sent


# --- real services --------------------------------------------------------------------------------


def _meilisearch_binary() -> str | None:
    candidate = os.environ.get("MEILI_BIN") or str(ROOT / ".cache/meilisearch/meilisearch-1.21.0")
    return candidate if os.access(candidate, os.X_OK) else None


class MeiliServer:
    """The pinned Meilisearch binary on a free loopback port, with a temporary data dir and a master key.
    It can be stopped and started again on the same port and data, to test outages."""

    key = "test-master-key-0123456789abcdef"

    def __init__(self, binary: str) -> None:
        self.binary, self.port = binary, free_port()
        self.data_dir = tempfile.mkdtemp(prefix="meili-")
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = [
            self.binary,
            "--http-addr",
            f"127.0.0.1:{self.port}",
            "--db-path",
            f"{self.data_dir}/data.ms",
            "--no-analytics",
            "--master-key",
            self.key,
            "--env",
            "development",
            "--max-indexing-memory",  # the default (2/3 of the RAM) stalls small updates on this machine
            "1Gb",
        ]
        # Run in its data dir, so that the dumps/ it creates never lands in the checkout.
        self.process = subprocess.Popen(
            args, cwd=self.data_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(200):
            try:
                if httpx.get(f"{self.url}/health", timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        pytest.fail("Meilisearch did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _meili_server() -> MeiliServer:
    binary = _meilisearch_binary()
    require_service(binary is not None, "Meilisearch binary not found: run scripts/fetch-meilisearch.sh")
    assert binary is not None
    return MeiliServer(binary)


@pytest.fixture(scope="session")
def meilisearch() -> Iterator[dict[str, str]]:
    """A Meilisearch server shared by the whole session (each test uses an index of its own)."""
    server = _meili_server()
    server.start()
    yield {"url": server.url, "key": server.key}
    server.remove()


@pytest.fixture
def own_meilisearch() -> Iterator[MeiliServer]:
    """A Meilisearch server for one test, which may stop and restart it."""
    server = _meili_server()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def meili_settings(settings: Settings, meilisearch: dict[str, str]) -> Settings:
    """Settings for an app on the real Meilisearch server, with an index of this test's own."""
    return settings.model_copy(
        update={
            "meili_url": meilisearch["url"],
            "meili_master_key": meilisearch["key"],
            "meili_index": f"test_{uuid.uuid4().hex[:12]}",
        }
    )


def run_search_worker(app: FastAPI) -> int:
    """What the worker does after a commit: apply pending search changes (returns how many)."""
    from market.catalog.search_index import apply_search_events

    done = 0
    while n := apply_search_events(app.state.engine, app.state.search):
        done += n
    return done


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, for the browser."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium")
    require_service(chromium is not None, "Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


SignIn = Callable[[str], Any]


@pytest.fixture
def sign_in(browser: Any, live_server: str) -> Iterator[SignIn]:
    """A person signs in on /entrar in a browser context of their own (closed after the test)."""
    from playwright.sync_api import expect

    contexts: list[Any] = []

    def open_as(email: str) -> Any:
        context = browser.new_context(locale="es-MX")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server}/entrar")
        page.get_by_label("Correo electrónico").fill(email)
        page.get_by_label("Contraseña").fill(PASSWORD)
        page.get_by_role("button", name="Entrar").click()
        expect(page.get_by_role("button", name="Salir")).to_be_visible()
        return page

    yield open_as
    for context in contexts:
        context.close()
