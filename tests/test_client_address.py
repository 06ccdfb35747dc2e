"""The client address log-in throttling counts, read as `market serve` really runs the app: uvicorn with
the proxy headers settings of market.cli.server_config, and (when Caddy is installed) deploy/Caddyfile."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from market.accounts.models import LoginAttempt
from market.cli import server_config
from market.config import Settings
from tests.fixtures.app import served
from tests.helpers import ROOT, TOKENS, free_port, require_service

PROXY = "127.0.0.2"  # a second loopback address plays the proxy in front of the app
LOGIN = {"email": "ana@example.mx", "password": "contraseña-equivocada"}


def counted_address(
    session: Session, url: str, source: str = "127.0.0.1", forwarded: str | None = None
) -> str:
    """Fail a log-in from `source`, sending X-Forwarded-For `forwarded`: the address it was counted under."""
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    with httpx.Client(transport=httpx.HTTPTransport(local_address=source)) as client:
        assert client.post(f"{url}{TOKENS}", json=LOGIN, headers=headers).status_code == 401
    attempts = session.exec(select(LoginAttempt).order_by(LoginAttempt.id.desc())).all()  # type: ignore[union-attr]
    return attempts[0].ip


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    settings.forwarded_allow_ips = ""  # the default: no proxy in front
    with served(app, settings) as url:
        assert counted_address(session, url, forwarded="203.0.113.9") == "127.0.0.1"
        assert counted_address(session, url, source=PROXY, forwarded="203.0.113.9") == PROXY


def test_the_trusted_proxy_names_the_client_and_no_one_else_can(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    settings.forwarded_allow_ips = PROXY
    with served(app, settings) as url:
        assert counted_address(session, url, source=PROXY, forwarded="198.51.100.7") == "198.51.100.7"
        # what the client forged, then what the proxy appended: the proxy's word counts
        assert (
            counted_address(session, url, source=PROXY, forwarded="203.0.113.9, 198.51.100.8")
            == "198.51.100.8"
        )
        # straight to the app, not through the proxy: the header is ignored
        assert counted_address(session, url, source="127.0.0.1", forwarded="203.0.113.9") == "127.0.0.1"


def test_a_waiting_client_cannot_forge_its_way_out(
    app: FastAPI, session: Session, settings: Settings, make_user: Callable[..., object]
) -> None:
    make_user("ana@example.mx")
    settings.forwarded_allow_ips = PROXY
    with served(app, settings) as url, httpx.Client() as client:
        for _ in range(settings.login_attempts_per_window):
            assert client.post(f"{url}{TOKENS}", json=LOGIN).status_code == 401
        forged = client.post(f"{url}{TOKENS}", json=LOGIN, headers={"X-Forwarded-For": "203.0.113.50"})
    assert forged.status_code == 429
    assert int(forged.headers["Retry-After"]) > 0


def test_settings_say_whether_uvicorn_reads_proxy_headers(app: FastAPI, settings: Settings) -> None:
    assert server_config(app, settings, "127.0.0.1", 8000).proxy_headers is False
    settings.forwarded_allow_ips = "172.31.250.10"
    config = server_config(app, settings, "127.0.0.1", 8000)
    assert config.proxy_headers is True and config.forwarded_allow_ips == "172.31.250.10"


@pytest.fixture
def caddy(tmp_path: Path) -> Callable[[str], AbstractContextManager[str]]:
    binary = shutil.which("caddy")
    require_service(binary is not None, "caddy is not installed (apt-get install caddy)")

    @contextmanager
    def run(upstream: str) -> Iterator[str]:
        port = free_port()
        env = os.environ | {
            "SITE_ADDRESS": f"http://127.0.0.1:{port}",
            "APP_HOST": "127.0.0.1",
            "APP_PORT": upstream.rsplit(":", 1)[1],
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
        }
        command = [str(binary), "run", "--config", str(ROOT / "deploy/Caddyfile"), "--adapter", "caddyfile"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            for _ in range(200):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                    time.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(10)

    return run


def test_behind_the_deployed_proxy_the_client_cannot_forge_its_address(
    app: FastAPI, session: Session, settings: Settings, caddy: Callable[[str], AbstractContextManager[str]]
) -> None:
    settings.forwarded_allow_ips = "127.0.0.1"  # Caddy connects to the app from the loopback
    with served(app, settings) as upstream, caddy(upstream) as url:
        # the client at 127.0.0.2 says it is 203.0.113.9; Caddy writes the address it saw instead
        assert counted_address(session, url, source="127.0.0.2", forwarded="203.0.113.9") == "127.0.0.2"
