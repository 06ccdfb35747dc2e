"""Settings read from the environment (or a .env file); embedded defaults need nothing."""

from __future__ import annotations

import base64
import binascii
from functools import cached_property
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-secret-change-me"
DEMO_CLABE = "002010077777777771"
MIN_METRICS_TOKEN = 16
FERNET_KEY_SHAPE = (
    "INVOICING_KEY must be a Fernet key, 32 bytes in URL-safe base64 (python3 -c 'from "
    "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
)


def _is_fernet_key(value: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(value.encode())) == 32
    except (binascii.Error, ValueError):
        return False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./var/market.db"
    # Connections each app process keeps to PostgreSQL, and how many more it may open at a peak. Every
    # process (`market serve --workers N`, each `market worker`) has its own: N x (both) plus the workers'
    # must stay under the server's max_connections (100 by default).
    database_pool_size: int = Field(default=10, ge=1, le=100)
    database_max_overflow: int = Field(default=10, ge=0, le=100)
    secret_key: str = DEFAULT_SECRET
    base_url: str = "http://127.0.0.1:8000"
    media_dir: Path = Path("var/media")
    # Media in an S3-compatible bucket instead of MEDIA_DIR (several machines): used when S3_BUCKET is set.
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None  # unset: AWS S3 itself; MinIO, R2, Spaces... give theirs
    s3_access_key_id: str | None = None  # unset: boto3's own chain (environment, instance role)
    s3_secret_access_key: str | None = None
    s3_region: str | None = None
    s3_public_url: str | None = None  # browsers fetch media from here (a CDN / public bucket), not the app
    max_upload_bytes: int = 5 * 1024 * 1024

    meili_url: str | None = None
    meili_master_key: str | None = None
    meili_index: str = "listings"
    search_db_path: Path = Path("var/search.db")  # the embedded engine's own SQLite file

    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None
    stripe_publishable_key: str | None = None
    # Stripe ties the charge to its transfers by `transfer_group`; localstripe (the test server) rejects the
    # parameter, so its fixture turns this off and the transfers still name their `source_transaction`.
    stripe_charge_transfer_group: bool = True
    invoice_days: int = 30
    # Orders a buyer may hold unpaid at once (stock reserved with no money yet: awaiting a transfer, or
    # cash on pickup the producers have not accepted), so that no one can empty the catalogue.
    max_unpaid_orders: int = 5
    # A shipped order the buyer never confirms counts as delivered after this many days; a delivered one
    # completes (and its money is released to the producer) after the buyer's window to report a problem.
    auto_deliver_days: int = 14
    complete_after_days: int = 3
    platform_fee_bps: int = 800  # 8 %
    # What the payment provider charges per order and method, (basis points, fixed centavos) plus IVA: the
    # impact figures estimate payment costs with it. Money that reaches the platform's own bank account or
    # stays with the producer (cash) costs nothing; a method not named here costs nothing either.
    payment_cost_rates: dict[str, tuple[int, int]] = {
        "card": (360, 300),
        "oxxo": (360, 0),
        "spei": (100, 0),
        "spei_transfer": (0, 0),
        "invoice": (0, 0),
        "cash_on_pickup": (0, 0),
    }
    payment_cost_iva_bps: int = 1600  # 16 %
    # The public impact figures are recomputed when money moved, at most this often (per process).
    impact_max_age_seconds: int = 300
    # The catalogue's counts of public listings (per filters) are kept this long per process; 0: always exact.
    catalog_count_max_age_seconds: float = Field(default=10, ge=0)
    # Where buyers send SPEI transfers (the demo value is a well-formed CLABE of no real account).
    platform_clabe: str = DEMO_CLABE
    platform_bank_beneficiary: str = "Tianguis Solidario (demostración)"

    # How long the worker keeps what is done (market/housekeeping.py): outbox events processed, providers'
    # events (Stripe resends for 3 days at most), carts nobody touched.
    outbox_retention_days: int = 14
    webhook_retention_days: int = 30
    cart_retention_days: int = 60
    # A connection that sends nothing for this long is closed (market/serving.py).
    idle_timeout_seconds: int = 5
    # At most this many requests in flight (more get a 503), and as many worker threads plus a margin. A
    # request holds its transaction across several trips through the thread pool (dependencies, endpoint,
    # response, commit): were there more requests than threads, all threads could end up waiting for
    # connections or row locks that requests waiting for a thread hold, and the server would stall.
    max_concurrent_requests: int = 200
    # When set, /metrics answers only `Authorization: Bearer <token>`; production will not start without it.
    metrics_token: str | None = None

    # Log-in throttling (market/accounts/limits.py says why each rule is shaped so). A failure counts for
    # `login_window_seconds`, which is also the longest wait anyone is ever given.
    login_window_seconds: int = 15 * 60
    # Failures one address may make against one e-mail before it waits; the first wait, doubling with each
    # further failure.
    login_attempts_per_window: int = 5
    login_backoff_seconds: int = 30
    # Different e-mails one address may fail on before all its tries wait (spraying); that wait stays short,
    # because a whole office or community centre may share the address.
    login_address_emails: int = 20
    login_address_max_wait_seconds: int = 60
    # Failures on one e-mail, from any address, that mean it is under attack; then every try at it waits
    # this long after its last failure (seconds: the owner gets in, a guesser gets few tries).
    login_account_attack_failures: int = 20
    login_account_wait_seconds: int = 5
    # The proxy (or proxies) whose X-Forwarded-For names the client, comma-separated addresses or networks;
    # empty: no proxy, the connecting address is the client. Uvicorn reads the same variable.
    forwarded_allow_ips: str = ""
    # A signed-in browser stays signed in this many days after it was last used; an API token lives this
    # many days from its creation (or fewer, when asked for).
    session_days: int = Field(default=14, ge=1, le=365)
    api_token_days: int = Field(default=90, ge=1, le=3650)
    # Single-use links e-mailed to a person: how long each works, and at most one e-mail of each kind per
    # person in this many seconds (so that nobody can fill someone else's inbox).
    password_reset_minutes: int = 60
    email_confirmation_days: int = 3
    account_email_interval_seconds: int = 180
    # E-mail goes out over SMTP when SMTP_HOST is set; otherwise it stays in the local mailbox, which
    # administrators read at /admin/correos (the embedded default).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr = SecretStr("")
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_timeout_seconds: float = 15
    mail_from: str = "Tianguis Solidario <avisos@tianguis-solidario.mx>"
    # Producers who chose the daily digest get it at this hour, Mexico City time.
    digest_hour: int = Field(default=8, ge=0, le=23)
    # Images (listing photos, logos) one person may upload per hour: decoding each costs CPU and memory.
    uploads_per_hour: int = 60
    # Invoices (CFDI 4.0) are sealed with each producer's CSD and stamped by the PAC named here; unset, none
    # is stamped: each invoice stays "por timbrar" (the embedded default). Only SW sapien ("swsapien") is
    # spoken for now. PAC_URL replaces the PAC's own host (the tests point it at a loopback server);
    # PAC_TOKEN is the account's API token; PAC_ENVIRONMENT picks the PAC's test or production host.
    pac_provider: Literal["swsapien"] | None = None
    pac_url: str | None = None
    pac_token: SecretStr = SecretStr("")
    pac_environment: Literal["test", "production"] = "test"
    # A PAC that has not answered in this many seconds counts as down: the invoice waits, por timbrar.
    pac_timeout_seconds: float = Field(default=30, gt=0)
    # The Fernet key (32 bytes, URL-safe base64) the producers' CSD private keys and passwords are encrypted
    # with at rest. Unset outside production: derived from SECRET_KEY, so that `make run` needs nothing.
    invoicing_key: SecretStr | None = None
    # The platform issues each producer a monthly CFDI for its fees, sealed with the platform's own CSD (the
    # .cer and .key files and the key's password). Unset outside production: a test CSD the code generates
    # for the SAT's test RFC, kept under the data dir; in production a commission invoice without them is
    # refused with the reason, for the administrators.
    platform_rfc: str | None = None
    platform_legal_name: str = "TIANGUIS SOLIDARIO"
    platform_tax_regime: str = "601"  # c_RegimenFiscal: General de Ley Personas Morales
    platform_fiscal_postal_code: str = "06600"
    platform_csd_certificate: Path | None = None
    platform_csd_key: Path | None = None
    platform_csd_password: SecretStr = SecretStr("")

    @field_validator(
        "s3_bucket",
        "s3_endpoint_url",
        "s3_access_key_id",
        "s3_secret_access_key",
        "s3_region",
        "s3_public_url",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """`S3_BUCKET=` (docker-compose's `${S3_BUCKET:-}`) means no bucket, not a bucket named ''."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        if self.environment == "production" and self.platform_clabe == DEMO_CLABE:
            raise ValueError("PLATFORM_CLABE must be the platform's real account in production")
        if self.environment == "production" and len((self.metrics_token or "").strip()) < MIN_METRICS_TOKEN:
            # Open, /metrics tells anyone the traffic, the payment outcomes and the backlog of the platform.
            raise ValueError(
                f"METRICS_TOKEN must be set to a random value of at least {MIN_METRICS_TOKEN} characters "
                "in production"
            )
        if self.environment == "production" and not self.smtp_host:
            # Without it every message would stay in the local mailbox: nobody would get one.
            raise ValueError("SMTP_HOST must name the mail server in production")
        if self.pac_provider and not self.pac_token.get_secret_value().strip():
            raise ValueError("PAC_TOKEN must be set when PAC_PROVIDER names a PAC")
        if self.invoicing_key is not None and not _is_fernet_key(self.invoicing_key.get_secret_value()):
            raise ValueError(FERNET_KEY_SHAPE)
        if self.environment == "production" and self.invoicing_key is None:
            # Derived from SECRET_KEY, a rotation of the secret would leave every stored CSD unreadable.
            raise ValueError(f"INVOICING_KEY must be set in production: {FERNET_KEY_SHAPE}")
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @cached_property
    def invoicing_fernet_key(self) -> bytes:
        """INVOICING_KEY, or (outside production) a key derived from SECRET_KEY with HKDF."""
        if self.invoicing_key is not None:
            return self.invoicing_key.get_secret_value().encode()
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"tianguis invoicing key"
        ).derive(self.secret_key.encode())
        return base64.urlsafe_b64encode(derived)

    @cached_property
    def search_backend(self) -> str:
        return "meilisearch" if self.meili_url else "embedded"

    @cached_property
    def mail_backend(self) -> str:
        return "smtp" if self.smtp_host else "mailbox"

    @cached_property
    def payments_backend(self) -> str:
        return "stripe" if self.stripe_secret_key else "offline"
