"""SMTP_SECURITY and the credentials, against a real server that demands them: STARTTLS on the submission
port and implicit TLS, each with a login; a wrong password or an untrusted certificate makes messages wait
(the service's problem, not the message's), never parks or loses them."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.config import Settings
from market.mail import kinds
from market.mail.delivery import deliver_due
from market.mail.models import Email, EmailStatus
from market.mail.queue import send
from tests.fixtures.smtp import SmtpServer
from tests.helpers import free_port
from tests.mail.test_delivery import make_due

USER, PASSWORD = "tianguis", "contraseña-del-relevo"
HOST = "127.0.0.1"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False, auth_data=data if ok else None)


def secure_server(certificate: tuple[Path, Path], implicit: bool) -> Iterator[SmtpServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    # aiosmtpd counts only STARTTLS as encryption for AUTH; on implicit TLS everything is encrypted anyway.
    tls = (
        {"ssl_context": context, "auth_require_tls": False}
        if implicit
        else {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
    )
    server = SmtpServer(
        port=free_port(), options=tls | {"auth_required": True, "authenticator": authenticate}
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    yield from secure_server(certificate, implicit=False)


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    yield from secure_server(certificate, implicit=True)


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine trusts the certificate as it trusts a real relay's (OpenSSL reads the variable)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


def relay(settings: Settings, server: SmtpServer, security: str, password: str = PASSWORD) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": HOST,
            "smtp_port": server.port,
            "smtp_security": security,
            "smtp_username": USER,
            "smtp_password": SecretStr(password),
        }
    )


def queued_email(session: Session) -> Email:
    email = send(session, kinds.TEST, "ana@example.mx", sent_at=datetime.now(UTC))
    session.commit()
    return email


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_message_leaves_encrypted_and_authenticated(
    security: str,
    session: Session,
    engine: Engine,
    settings: Settings,
    starttls_server: SmtpServer,
    tls_server: SmtpServer,
    trusted: None,
) -> None:
    server = starttls_server if security == "starttls" else tls_server
    queued_email(session)

    assert deliver_due(engine, relay(settings, server, security)) == 1

    (received,) = server.received
    assert received.encrypted and received.login == USER
    assert received.recipients == ["ana@example.mx"]


@pytest.mark.parametrize("problem", ["wrong password", "untrusted certificate"])
def test_a_relay_that_refuses_us_delays_the_message_and_parks_nothing(
    problem: str,
    session: Session,
    engine: Engine,
    settings: Settings,
    starttls_server: SmtpServer,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if problem == "wrong password":
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    else:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    email = queued_email(session)
    password = "otra" if problem == "wrong password" else PASSWORD

    for _ in range(5):
        deliver_due(engine, relay(settings, starttls_server, "starttls", password))
        make_due(engine)

    session.expire_all()
    waiting = session.exec(select(Email).where(Email.id == email.id)).one()
    assert waiting.status == EmailStatus.QUEUED and waiting.rejections == 0
    assert waiting.last_error is not None
    assert ("535" if problem == "wrong password" else "CERTIFICATE_VERIFY_FAILED") in waiting.last_error
    assert starttls_server.received == []
