"""JSON API of Stripe Connect for an organization's owners: its connected account's state, a link to Stripe's
onboarding (creating the account the first time), asking Stripe again, and a link to the Express dashboard."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from market.deps import ApiUserDep, GatewayDep, SessionDep, SettingsDep
from market.organizations import service as organizations
from market.payments import connect
from market.payments.connect import ConnectStatus

router = APIRouter(prefix="/organizations", tags=["payments"])
REFUSALS: dict[int | str, dict[str, str]] = {
    403: {"description": "Not an owner of the organization"},
    409: {"description": "No Stripe on this platform (paid by SPEI), or no account / onboarding yet"},
    503: {"description": "Stripe did not answer"},
}


class StripeLink(BaseModel):
    """A single-use address on Stripe's hosted pages, to open at once."""

    url: str
    expires_at: int | None  # Unix time (account links expire within minutes)


@router.get("/{slug}/stripe", response_model=ConnectStatus, responses=REFUSALS)
def stripe_status(slug: str, user: ApiUserDep, gateway: GatewayDep, session: SessionDep) -> ConnectStatus:
    """The connected account as Stripe last told (`state`: unavailable, not_connected, pending, active).
    Transfers are made only while `payouts_enabled`; until then the organization is paid by SPEI."""
    organization = organizations.get_managed(session, slug, user)
    return connect.status_of(session, gateway, user, organization)


@router.post("/{slug}/stripe/account-link", response_model=StripeLink, responses=REFUSALS)
def stripe_account_link(
    slug: str, user: ApiUserDep, gateway: GatewayDep, settings: SettingsDep, session: SessionDep
) -> StripeLink:
    """A link to Stripe's onboarding; the organization's Express account is created the first time (once,
    however many calls). Stripe returns the owner to the panel's return page."""
    organization = organizations.get_managed(session, slug, user)
    return StripeLink(**connect.start_onboarding(session, gateway, settings, user, organization))


@router.post("/{slug}/stripe/sync", response_model=ConnectStatus, responses=REFUSALS)
def stripe_sync(slug: str, user: ApiUserDep, gateway: GatewayDep, session: SessionDep) -> ConnectStatus:
    """Ask Stripe how the account stands now, instead of waiting for its webhook."""
    organization = organizations.get_managed(session, slug, user)
    return connect.sync(session, gateway, user, organization)


@router.post("/{slug}/stripe/dashboard-link", response_model=StripeLink, responses=REFUSALS)
def stripe_dashboard_link(
    slug: str, user: ApiUserDep, gateway: GatewayDep, session: SessionDep
) -> StripeLink:
    """A single-use link to the account's Express dashboard, once its details were given to Stripe."""
    organization = organizations.get_managed(session, slug, user)
    return StripeLink(**connect.dashboard_link(session, gateway, user, organization))
