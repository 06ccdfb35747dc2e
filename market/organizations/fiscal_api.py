"""JSON API for an organization's fiscal data and CSD: its members read them, its owners change them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile

from market.deps import ApiUserDep, SessionDep, SettingsDep
from market.invoicing import csd_store, fiscal_profile
from market.invoicing.fiscal_profile import FiscalProfileUpdate, FiscalState
from market.organizations import service
from market.web import upload_bytes

router = APIRouter(prefix="/organizations", tags=["invoicing"])


@router.get("/{slug}/fiscal-profile", response_model=FiscalState)
def get_fiscal_profile(slug: str, user: ApiUserDep, session: SessionDep) -> FiscalState:
    organization = service.get_managed(session, slug, user)
    return fiscal_profile.state_of(session, user, organization)


@router.put(
    "/{slug}/fiscal-profile",
    response_model=FiscalState,
    responses={422: {"description": "A field is wrong (régimen of the other kind of person, unknown CP...)"}},
)
def put_fiscal_profile(
    slug: str, data: FiscalProfileUpdate, user: ApiUserDep, session: SessionDep
) -> FiscalState:
    """The RFC is the organization's own (PATCH /organizations/{slug}); it must be set first."""
    organization = service.get_managed(session, slug, user)
    fiscal_profile.save(session, user, organization, data)
    return fiscal_profile.state_of(session, user, organization)


@router.post(
    "/{slug}/csd",
    response_model=FiscalState,
    responses={
        409: {"description": "The organization has no RFC yet"},
        422: {"description": "The field that is wrong: certificate, key or password; nothing was stored"},
    },
)
def upload_csd(
    slug: str,
    certificate: UploadFile,
    key: UploadFile,
    password: Annotated[str, Form()],
    request: Request,
    user: ApiUserDep,
    settings: SettingsDep,
    session: SessionDep,
) -> FiscalState:
    """The organization's CSD (.cer, .key and the key's password), replacing the one it had. The key and the
    password are kept encrypted and never returned."""
    organization = service.get_managed(session, slug, user)
    csd_store.upload(
        session,
        settings,
        user,
        organization,
        upload_bytes(request, certificate),
        upload_bytes(request, key),
        password,
    )
    return fiscal_profile.state_of(session, user, organization)
