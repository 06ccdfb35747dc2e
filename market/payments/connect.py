"""Stripe Connect for producers: an organization's owner connects an Express account on Stripe's hosted
onboarding, Stripe tells (account.updated, or the return page asking it) whether the account may receive
charges and payouts, and only then do completed parts go to it by transfer (`payments.request_transfer`).
Until then, and with no Stripe at all, the organization is paid by SPEI as before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from market.accounts.models import User
from market.config import Settings
from market.errors import Conflict
from market.i18n import N_
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.payments.gateway import Gateway
from market.statuses import Status
from market.urls import path_for


class CardPayoutsUnavailable(Conflict):
    code = "card_payouts_unavailable"
    message = N_(
        "Los cobros con tarjeta (Stripe) no están disponibles en esta plataforma: "
        "te pagamos por SPEI a tu CLABE."
    )


class StripeAccountMissing(Conflict):
    code = "stripe_account_missing"
    message = N_("Tu organización todavía no tiene cuenta de Stripe: conéctala primero.")


class StripeOnboardingIncomplete(Conflict):
    code = "stripe_onboarding_incomplete"
    message = N_("Termina tu registro en Stripe para abrir su panel.")


class ConnectState(Status):
    """Where an organization stands with card payouts."""

    UNAVAILABLE = "unavailable", N_("No disponible: pagos por SPEI")
    NOT_CONNECTED = "not_connected", N_("Sin conectar")
    PENDING = "pending", N_("Registro pendiente")
    ACTIVE = "active", N_("Cobros activos")


class ConnectStatus(BaseModel):
    """An organization's connected account as Stripe last told it (the API's answer, the page's facts)."""

    state: ConnectState
    account_id: str | None
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    updated_at: datetime | None  # when Stripe last said so


def state_of(organization: Organization, available: bool) -> ConnectState:
    if not available:
        return ConnectState.UNAVAILABLE
    if not organization.stripe_account_id:
        return ConnectState.NOT_CONNECTED
    return ConnectState.ACTIVE if organization.receives_transfers else ConnectState.PENDING


def status_of(
    session: Session, gateway: Gateway | None, user: User, organization: Organization
) -> ConnectStatus:
    organizations.require_owner(session, user, organization)
    return ConnectStatus(
        state=state_of(organization, gateway is not None),
        account_id=organization.stripe_account_id,
        charges_enabled=organization.stripe_charges_enabled,
        payouts_enabled=organization.stripe_payouts_enabled,
        details_submitted=organization.stripe_details_submitted,
        updated_at=organization.stripe_synced_at,
    )


def _gateway(gateway: Gateway | None) -> Gateway:
    if gateway is None:
        raise CardPayoutsUnavailable()
    return gateway


def _locked(session: Session, organization: Organization) -> Organization:
    """The organization's row, locked until commit and read again: two clicks at once (two tabs) wait for
    each other, and the second sees the account the first created (PostgreSQL; on SQLite writes are one at
    a time, and Stripe's idempotency key returns the same account to both)."""
    locked = session.exec(
        select(Organization)
        .where(Organization.id == organization.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return locked


def _absolute(settings: Settings, name: str, **params: Any) -> str:
    return settings.base_url.rstrip("/") + path_for(name, **params)


def start_onboarding(
    session: Session, gateway: Gateway | None, settings: Settings, user: User, organization: Organization
) -> dict[str, Any]:
    """The organization's Express account, created the first time (once, however many clicks), and a fresh
    link to Stripe's onboarding for it: {"url", "expires_at"}."""
    organizations.require_owner(session, user, organization)
    stripe = _gateway(gateway)
    organization = _locked(session, organization)
    if not organization.stripe_account_id:
        public_url = _absolute(settings, "organizations.profile", slug=organization.slug)
        account = stripe.create_account(
            organization_id=organization.id or 0,
            email=organization.contact_email or user.email,
            name=organization.name,
            url=public_url if public_url.startswith("https://") else None,  # Stripe refuses a local address
            idempotency_key=f"connect-account-organization-{organization.id}",
        )
        organization.stripe_account_id = account["id"]
        session.add(organization)
        _apply(organization, account, _now())
        session.flush()
    return onboarding_link(session, stripe, settings, user, organization)


def onboarding_link(
    session: Session, gateway: Gateway | None, settings: Settings, user: User, organization: Organization
) -> dict[str, Any]:
    """A new link to Stripe's onboarding (an old one expired, or was used): the refresh page's answer."""
    organizations.require_owner(session, user, organization)
    stripe = _gateway(gateway)
    if not organization.stripe_account_id:
        raise StripeAccountMissing()
    link = stripe.account_link(
        account_id=organization.stripe_account_id,
        refresh_url=_absolute(settings, "payments.connect_refresh", slug=organization.slug),
        return_url=_absolute(settings, "payments.connect_return", slug=organization.slug),
    )
    return {"url": link["url"], "expires_at": link.get("expires_at")}


def dashboard_link(
    session: Session, gateway: Gateway | None, user: User, organization: Organization
) -> dict[str, Any]:
    """A single-use link to the account's Express dashboard (payouts, bank account, tax data), once the
    organization has given Stripe its details."""
    organizations.require_owner(session, user, organization)
    stripe = _gateway(gateway)
    if not organization.stripe_account_id:
        raise StripeAccountMissing()
    if not organization.stripe_details_submitted:
        raise StripeOnboardingIncomplete()
    link = stripe.login_link(organization.stripe_account_id)
    return {"url": link["url"], "expires_at": None}


def sync(session: Session, gateway: Gateway | None, user: User, organization: Organization) -> ConnectStatus:
    """Ask Stripe how the account stands now (the return page: the webhook may not have come yet)."""
    organizations.require_owner(session, user, organization)
    stripe = _gateway(gateway)
    if not organization.stripe_account_id:
        raise StripeAccountMissing()
    account = stripe.retrieve_account(organization.stripe_account_id)
    locked = _locked(session, organization)
    if locked.stripe_account_id == account.get("id"):
        record(locked, account, _now())
    return status_of(session, gateway, user, locked)


def _now() -> datetime:
    """Now, to the second: a Stripe event is dated in whole seconds, and one from the same second as an
    answer read here is not older than it."""
    return datetime.now(UTC).replace(microsecond=0)


def _apply(organization: Organization, account: dict[str, Any], at: datetime) -> None:
    organization.stripe_charges_enabled = bool(account.get("charges_enabled"))
    organization.stripe_payouts_enabled = bool(account.get("payouts_enabled"))
    organization.stripe_details_submitted = bool(account.get("details_submitted"))
    organization.stripe_synced_at = at


def record(organization: Organization, account: dict[str, Any], at: datetime) -> bool:
    """Keep what Stripe said at `at` about the account, unless it already told something newer: False
    when this news is older and changed nothing."""
    synced = organization.stripe_synced_at
    if synced is not None and at < _aware(synced):
        return False
    _apply(organization, account, at)
    return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def account_updated(session: Session, account: dict[str, Any], created: int) -> Organization | None:
    """Outbox (webhook) handler for `account.updated`: the organization with that account takes its new
    state, unless it knows a newer one. An account of no organization here is ignored.

    Payouts becoming enabled send nothing by themselves: parts completed before stay for a SPEI payout (an
    administrator may be sending it right now); parts completed from then on are transferred."""
    account_id = account.get("id")
    if not isinstance(account_id, str):
        return None
    organization = session.exec(
        select(Organization)
        .where(Organization.stripe_account_id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if organization is None:
        return None
    record(organization, account, datetime.fromtimestamp(created, UTC))
    session.add(organization)
    return organization
