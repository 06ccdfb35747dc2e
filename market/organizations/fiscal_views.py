"""The organization's Facturación page: its fiscal data and its CSD, for its members; owners change them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from market.accounts.models import User
from market.config import Settings
from market.deps import FormDep, PageDep, SessionDep, SettingsDep, UserDep
from market.errors import MarketError, ValidationFailed
from market.forms import FormInvalid, text_fields, validate
from market.i18n import gettext as _
from market.invoicing import csd_store, fiscal_profile
from market.invoicing.fiscal_profile import FiscalProfileUpdate
from market.organizations import service
from market.organizations.models import Organization
from market.web import PageContext, flash, refusable, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _page(
    page: PageContext,
    session: Session,
    user: User,
    organization: Organization,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    csd_errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    state = fiscal_profile.state_of(session, user, organization)
    if values is None:
        values = {
            "legal_name": state.legal_name,
            "tax_regime": state.tax_regime,
            "postal_code": state.postal_code,
        }
    return page.render(
        "organizations/invoicing.html",
        {
            "org": organization,
            "state": state,
            "regimes": fiscal_profile.regime_options(organization.rfc),
            "values": values,
            "errors": errors or {},
            "csd_errors": csd_errors or {},
            "warn_days": csd_store.WARN_DAYS,
        },
        status,
    )


def _errors(exc: FormInvalid | MarketError) -> dict[str, str]:
    """Each wrong field's message in the person's language; a refusal of the whole action under `form`."""
    if isinstance(exc, FormInvalid):
        return exc.errors
    if isinstance(exc, ValidationFailed):
        return exc.body()["fields"]
    return {"form": exc.detail}


@router.get("/panel/o/{slug}/facturacion", name="organizations.invoicing")
def invoicing(slug: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    organization = service.get_managed(session, slug, user)
    return _page(page, session, user, organization)


@router.post("/panel/o/{slug}/facturacion/datos", name="organizations.save_fiscal_profile")
def save_fiscal_profile(
    slug: str, request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    organization = service.get_managed(session, slug, user)
    values = text_fields(form)
    try:
        with refusable(session):
            fiscal_profile.save(session, user, organization, validate(FiscalProfileUpdate, values))
    except (FormInvalid, ValidationFailed) as exc:
        session.refresh(organization)
        return _page(page, session, user, organization, values, _errors(exc), status=422)
    flash(request, _("Guardamos los datos fiscales."))
    return page.redirect(page.url("organizations.invoicing", slug=organization.slug))


def _file(form: FormData, name: str, settings: Settings) -> bytes:
    """The file sent as `name` (at most one byte more than allowed), or nothing when none was chosen."""
    upload = form.get(name)
    return upload.file.read(settings.max_upload_bytes + 1) if isinstance(upload, UploadFile) else b""


@router.post("/panel/o/{slug}/facturacion/csd", name="organizations.upload_csd")
def upload_csd(
    slug: str,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    organization = service.get_managed(session, slug, user)
    password = form.get("password")
    try:
        with refusable(session):
            stored = csd_store.upload(
                session,
                settings,
                user,
                organization,
                _file(form, "certificate", settings),
                _file(form, "key", settings),
                password if isinstance(password, str) else "",
            )
    except (ValidationFailed, csd_store.RfcRequired) as exc:
        return _page(page, session, user, organization, csd_errors=_errors(exc), status=exc.status_code)
    flash(
        request,
        _("Guardamos el CSD número {number}. La llave privada y su contraseña quedan cifradas.").format(
            number=stored.certificate_number
        ),
    )
    return page.redirect(page.url("organizations.invoicing", slug=organization.slug))
