"""Settings: embedded defaults need nothing; production refuses an unsafe secret, the demo bank account,
a public /metrics, mail that would never leave and a CSD key derived from the secret."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from market.config import DEFAULT_SECRET, Settings
from market.invoicing import vault


def test_embedded_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("sqlite:///")
    assert (settings.search_backend, settings.payments_backend) == ("embedded", "offline")


@pytest.mark.parametrize("secret", [DEFAULT_SECRET, "short-but-custom"])
def test_production_refuses_a_default_or_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=secret, _env_file=None)


def test_production_accepts_a_long_random_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("MEILI_URL", "http://127.0.0.1:7700")
    monkeypatch.setenv("PLATFORM_CLABE", "012180001234567897")
    monkeypatch.setenv("METRICS_TOKEN", "m" * 32)
    monkeypatch.setenv("SMTP_HOST", "smtp.example.mx")
    monkeypatch.setenv("INVOICING_KEY", Fernet.generate_key().decode())
    settings = Settings(_env_file=None)
    assert settings.is_production and settings.search_backend == "meilisearch"
    assert settings.mail_backend == "smtp"


def test_production_refuses_the_demo_bank_account() -> None:
    with pytest.raises(ValidationError, match="PLATFORM_CLABE"):
        Settings(environment="production", secret_key="x" * 48, _env_file=None)


@pytest.mark.parametrize("token", [None, "", "   ", "short-token"])
def test_production_refuses_to_start_with_a_public_or_guessable_metrics_endpoint(token: str | None) -> None:
    with pytest.raises(ValidationError, match="METRICS_TOKEN"):
        Settings(
            environment="production",
            secret_key="x" * 48,
            platform_clabe="012180001234567897",
            metrics_token=token,
            _env_file=None,
        )


def test_production_refuses_to_keep_mail_in_the_local_mailbox() -> None:
    with pytest.raises(ValidationError, match="SMTP_HOST"):
        Settings(
            environment="production",
            secret_key="x" * 48,
            platform_clabe="012180001234567897",
            metrics_token="m" * 32,
            _env_file=None,
        )


def test_development_may_leave_metrics_open() -> None:
    assert Settings(_env_file=None).metrics_token is None


PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "secret_key": "x" * 48,
    "platform_clabe": "012180001234567897",
    "metrics_token": "m" * 32,
    "smtp_host": "smtp.example.mx",
}


def test_production_refuses_to_start_without_a_key_for_the_producers_csds() -> None:
    with pytest.raises(ValidationError, match="INVOICING_KEY must be set in production"):
        Settings(**PRODUCTION, _env_file=None)


@pytest.mark.parametrize("key", ["", "not-a-key", "c2hvcnQ=", "x" * 44])
def test_an_invoicing_key_that_is_not_a_fernet_key_is_refused_everywhere(key: str) -> None:
    with pytest.raises(ValidationError, match="INVOICING_KEY must be a Fernet key"):
        Settings(invoicing_key=key, _env_file=None)


def test_without_an_invoicing_key_development_derives_one_from_the_secret_key() -> None:
    one, same = Settings(_env_file=None), Settings(_env_file=None)
    other = Settings(secret_key="another-development-secret", _env_file=None)
    token = vault.seal(one, b"llave privada")

    assert vault.unseal(same, token) == b"llave privada"
    assert one.invoicing_fernet_key != other.invoicing_fernet_key
    with pytest.raises(vault.SealedSecretUnreadable):
        vault.unseal(other, token)


def test_a_given_invoicing_key_is_the_one_used() -> None:
    key = Fernet.generate_key().decode()
    settings = Settings(**PRODUCTION, invoicing_key=key, _env_file=None)

    assert Fernet(key.encode()).decrypt(vault.seal(settings, b"secreto")) == b"secreto"


def test_media_stay_on_disk_unless_a_bucket_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from market.storage import LocalStorage, S3Storage, storage_for

    for name in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_PUBLIC_URL"):
        monkeypatch.setenv(name, "")  # as docker-compose passes an unset `${S3_BUCKET:-}`
    assert isinstance(storage_for(Settings(_env_file=None)), LocalStorage)

    monkeypatch.setenv("S3_BUCKET", "medios")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("S3_REGION", "us-east-1")
    storage = storage_for(Settings(_env_file=None))
    assert isinstance(storage, S3Storage) and storage.bucket == "medios"
    assert storage.public_url("listings/a.jpg") is None
