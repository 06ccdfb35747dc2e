"""The producer panel's "Cobros con tarjeta (Stripe)" page, for an organization's owners: connect an Express
account, come back from Stripe's onboarding (or get a fresh link when one expired), open the Express
dashboard."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from market.accounts.models import User
from market.config import Settings
from market.deps import GatewayDep, PageDep, SessionDep, SettingsDep, UserDep
from market.errors import Conflict
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.payments import connect
from market.payments.gateway import Gateway
from market.web import CONTENT_SECURITY_POLICY, PageContext, flash, refusable, refused, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
STRIPE_HOSTED = "https://connect.stripe.com"  # where account links and Express dashboard links lead


def _policy(settings: Settings) -> str:
    """The site's policy, letting this page's forms continue to Stripe's hosted pages (a browser checks a
    form's redirects against `form-action` too): Stripe's, or those of the server STRIPE_API_BASE names."""
    hosted = STRIPE_HOSTED
    if settings.stripe_api_base:
        parts = urlsplit(settings.stripe_api_base)
        hosted = f"{parts.scheme}://{parts.netloc}"
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {hosted}")


def _page(
    page: PageContext,
    session: Session,
    gateway: Gateway | None,
    settings: Settings,
    user: User,
    organization: Organization,
    *,
    returned: bool = False,
    status: int = 200,
) -> Response:
    response = page.render(
        "payments/connect.html",
        {
            "org": organization,
            "connect": connect.status_of(session, gateway, user, organization),
            "ConnectState": connect.ConnectState,
            "returned": returned,
        },
        status,
    )
    response.headers["content-security-policy"] = _policy(settings)
    return response


def _owned(session: Session, slug: str, user: User) -> Organization:
    organization = organizations.get_managed(session, slug, user)
    organizations.require_owner(session, user, organization)
    return organization


@router.get("/panel/o/{slug}/stripe", name="payments.connect_page")
def connect_page(
    slug: str, page: PageDep, gateway: GatewayDep, settings: SettingsDep, user: UserDep, session: SessionDep
) -> Response:
    organization = _owned(session, slug, user)
    return _page(page, session, gateway, settings, user, organization)


@router.post("/panel/o/{slug}/stripe/conectar", name="payments.connect_start")
def connect_start(
    slug: str, page: PageDep, gateway: GatewayDep, settings: SettingsDep, user: UserDep, session: SessionDep
) -> Response:
    """Create the account (once) and go to Stripe's onboarding."""
    organization = _owned(session, slug, user)
    try:
        with refusable(session):
            link = connect.start_onboarding(session, gateway, settings, user, organization)
    except Conflict as exc:
        flash(page.request, exc.detail, "error")
        session.refresh(organization)
        return refused(_page(page, session, gateway, settings, user, organization), exc)
    return page.redirect(link["url"])


@router.get("/panel/o/{slug}/stripe/listo", name="payments.connect_return")
def connect_return(
    slug: str, page: PageDep, gateway: GatewayDep, settings: SettingsDep, user: UserDep, session: SessionDep
) -> Response:
    """Stripe sends the owner back here after onboarding: ask Stripe how the account stands now."""
    organization = _owned(session, slug, user)
    try:
        with refusable(session):
            connect.sync(session, gateway, user, organization)
    except Conflict as exc:  # no Stripe here, or no account yet: the page says what to do
        flash(page.request, exc.detail, "error")
        return page.redirect(page.url("payments.connect_page", slug=organization.slug))
    return _page(page, session, gateway, settings, user, organization, returned=True)


@router.get("/panel/o/{slug}/stripe/renovar", name="payments.connect_refresh")
def connect_refresh(
    slug: str, page: PageDep, gateway: GatewayDep, settings: SettingsDep, user: UserDep, session: SessionDep
) -> Response:
    """Stripe sends the owner here when an onboarding link expired or was used: a fresh one."""
    organization = _owned(session, slug, user)
    try:
        link = connect.onboarding_link(session, gateway, settings, user, organization)
    except Conflict as exc:
        flash(page.request, exc.detail, "error")
        return page.redirect(page.url("payments.connect_page", slug=organization.slug))
    return page.redirect(link["url"])


@router.post("/panel/o/{slug}/stripe/panel", name="payments.connect_dashboard")
def connect_dashboard(
    slug: str,
    request: Request,
    page: PageDep,
    gateway: GatewayDep,
    settings: SettingsDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    """Open the account's Express dashboard on Stripe."""
    organization = _owned(session, slug, user)
    try:
        link = connect.dashboard_link(session, gateway, user, organization)
    except Conflict as exc:
        flash(request, exc.detail, "error")
        return refused(_page(page, session, gateway, settings, user, organization), exc)
    return page.redirect(link["url"])
