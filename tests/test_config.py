"""Settings: embedded defaults need nothing; production refuses an unsafe secret, the demo bank account,
a public /metrics and mail that would never leave."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from market.config import DEFAULT_SECRET, Settings


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
