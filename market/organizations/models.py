"""Social-sector organizations (OSSE), their members and invitations."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from market.db import utcnow
from market.i18n import N_
from market.statuses import Status, StatusColumn


class VerificationStatus(Status):
    """An administrator's check of an organization's (or an institution's) data."""

    PENDING = "pending", N_("En revisión")
    VERIFIED = "verified", N_("Verificada")
    REJECTED = "rejected", N_("Rechazada")


ROLES = ("owner", "member")
# How long an invitation may be accepted; a new invitation to the same address replaces the pending one.
INVITATION_LIFETIME = timedelta(days=7)


def women_led(members: int, women: int) -> bool:
    """Led by women: women are at least half of the members (demands may ask for it; search filters on it;
    the impact figures count it)."""
    return members > 0 and 2 * women >= members


def indigenous(community: str | None) -> bool:
    """An indigenous community's organization: it names its people or community (the impact figures count
    it; search filters on it)."""
    return bool((community or "").strip())


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    name: str = Field(max_length=160)
    legal_form: str = Field(max_length=32)
    rfc: str | None = Field(default=None, max_length=13)
    state: str = Field(max_length=2, index=True)  # INEGI code
    municipality: str = Field(max_length=120)
    address: str | None = Field(default=None, max_length=300)
    pickup_hours: str | None = Field(default=None, max_length=200)  # when buyers may pick up, as written
    latitude: float | None = None
    longitude: float | None = None
    members_count: int = 0
    women_members_count: int = 0
    indigenous_community: str | None = Field(default=None, max_length=120)
    certifications: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sdgs: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    founded_year: int | None = None
    description: str = Field(default="", max_length=5000)
    contact_email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=30)
    logo_path: str | None = Field(default=None, max_length=200)
    clabe: str | None = Field(default=None, max_length=18)
    stripe_account_id: str | None = Field(default=None, max_length=64)
    # Its connected account as Stripe last told (an account.updated event, or the onboarding return page):
    # transfers go to it only while payouts are enabled; until then it is paid by SPEI. `stripe_synced_at`
    # is when Stripe said so, so that an older event arriving late changes nothing.
    stripe_charges_enabled: bool = False
    stripe_payouts_enabled: bool = False
    stripe_details_submitted: bool = False
    stripe_synced_at: datetime | None = None
    # What one order's delivery costs the buyer: to the states the listings name, and anywhere by parcel.
    delivery_fee_cents: int = Field(default=0, sa_type=BigInteger)
    shipping_fee_cents: int = Field(default=0, sa_type=BigInteger)
    # What its invoices (CFDI) name it by, as its Constancia de Situación Fiscal says (market/invoicing/
    # fiscal_profile.py): the razón social without the régimen societario, the régimen fiscal (SAT's
    # c_RegimenFiscal) and the código postal of its domicilio fiscal (c_CodigoPostal).
    legal_name: str | None = Field(default=None, max_length=254)
    tax_regime: str | None = Field(default=None, max_length=3)
    fiscal_postal_code: str | None = Field(default=None, max_length=5)

    verification_status: VerificationStatus = Field(
        default=VerificationStatus.PENDING, sa_type=StatusColumn(VerificationStatus, 16), index=True
    )
    rejection_reason: str | None = Field(default=None, max_length=1000)
    verified_at: datetime | None = None
    suspended: bool = False
    suspension_reason: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def is_public(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED and not self.suspended

    @property
    def receives_transfers(self) -> bool:
        """Stripe may transfer to its connected account: one exists and its payouts are enabled."""
        return bool(self.stripe_account_id) and self.stripe_payouts_enabled

    @property
    def women_led(self) -> bool:
        return women_led(self.members_count, self.women_members_count)

    @property
    def indigenous(self) -> bool:
        return indigenous(self.indigenous_community)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    role: str = Field(default="member", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


def invitation_expiry() -> datetime:
    return utcnow() + INVITATION_LIFETIME


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=254, index=True)
    role: str = Field(default="member", max_length=16)
    token: str = Field(max_length=64, unique=True)
    invited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(default_factory=invitation_expiry)
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None  # an owner took it back (or a newer invitation replaced it)

    def is_pending(self, now: datetime) -> bool:
        """It may still be accepted: neither used, nor revoked, nor expired."""
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


# What the bank and the SAT identify an organization by: once it is verified, a change of one of these
# waits for an administrator, so that nobody redirects its payouts or its invoices unnoticed.
PAYOUT_FIELDS = ("name", "rfc", "clabe")


class ChangeStatus(Status):
    """An administrator's decision on a change of payout data."""

    PENDING = "pending", N_("En revisión")
    APPROVED = "approved", N_("Aprobado")
    REJECTED = "rejected", N_("Rechazado")
    SUPERSEDED = "superseded", N_("Reemplazado por un cambio posterior")


class OrganizationChange(SQLModel, table=True):
    """An owner's new name, RFC or CLABE for a verified organization; the live values stay until an
    administrator approves it. An organization has at most one pending change: a new edit supersedes it with
    a new change of its own, so that an approval applies only the values the administrator saw."""

    __table_args__ = (
        Index(
            "uq_organizationchange_pending",
            "organization_id",
            unique=True,
            sqlite_where=text(f"status = '{ChangeStatus.PENDING}'"),
            postgresql_where=text(f"status = '{ChangeStatus.PENDING}'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    requested_by_id: int = Field(foreign_key="user.id")
    changes: dict[str, str | None] = Field(sa_column=Column(JSON, nullable=False))  # field -> new value
    status: ChangeStatus = Field(
        default=ChangeStatus.PENDING, sa_type=StatusColumn(ChangeStatus, 16), index=True
    )
    reason: str | None = Field(default=None, max_length=1000)  # why it was rejected
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class OrganizationCsd(SQLModel, table=True):
    """The organization's CSD (Certificado de Sello Digital), which seals its invoices: one per organization,
    replaced in place by a new upload. The private key and its password are encrypted with INVOICING_KEY
    (market/invoicing/vault.py) and never shown again; the certificate itself is public (every CFDI
    carries it)."""

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", unique=True, ondelete="CASCADE")
    rfc: str = Field(max_length=13)
    certificate: bytes = Field(sa_type=LargeBinary)  # the .cer, DER
    certificate_number: str = Field(max_length=20)
    valid_from: datetime
    valid_until: datetime = Field(index=True)
    sealed_key: bytes = Field(sa_type=LargeBinary)  # Fernet token of the .key (PKCS#8 DER, as uploaded)
    sealed_password: bytes = Field(sa_type=LargeBinary)  # Fernet token of the .key's password
    uploaded_by_id: int = Field(foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    # When the owners were told it expires within 30 days, and that it expired: each warning goes once.
    warned_expiring_at: datetime | None = None
    warned_expired_at: datetime | None = None
