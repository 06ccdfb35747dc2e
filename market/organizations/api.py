"""JSON API for organizations: public reads, management by owners, verification by administrators."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from sqlmodel import Session

from market.accounts.api import api_user, api_user_optional
from market.accounts.models import User
from market.db import DbSession
from market.media import media_url
from market.organizations import service
from market.organizations.models import Organization
from market.organizations.schemas import (
    Decision,
    InvitationCreate,
    OrganizationCreate,
    OrganizationPrivate,
    OrganizationPublic,
    OrganizationUpdate,
)
from market.pagination import Page
from market.web import upload_bytes

router = APIRouter(prefix="/organizations", tags=["organizations"])


def _public(org: Organization) -> OrganizationPublic:
    return OrganizationPublic.model_validate(org.model_dump() | {"logo_url": media_url(org.logo_path)})


def _private(org: Organization) -> OrganizationPrivate:
    return OrganizationPrivate.model_validate(org.model_dump() | {"logo_url": media_url(org.logo_path)})


@router.get("", response_model=Page[OrganizationPublic])
def list_organizations(
    session: Session = DbSession,
    state: str | None = Query(None, description="INEGI code, e.g. 07 (Chiapas)"),
    legal_form: str | None = None,
    page: int = Query(1, ge=1),
    per_page: int = Query(20, ge=1, le=100),
) -> Page[OrganizationPublic]:
    result = service.list_public(session, state=state, legal_form=legal_form, page=page, per_page=per_page)
    return Page(
        items=[_public(o) for o in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@router.post("", response_model=OrganizationPrivate, status_code=201)
def create_organization(
    data: OrganizationCreate, user: User = Depends(api_user), session: Session = DbSession
) -> OrganizationPrivate:
    return _private(service.create(session, user, data))


@router.get("/mine", response_model=list[OrganizationPrivate])
def my_organizations(user: User = Depends(api_user), session: Session = DbSession) -> list:
    return [_private(org) for org, _role in service.for_user(session, user)]


@router.get("/{slug}", response_model=OrganizationPublic | OrganizationPrivate)
def get_organization(
    slug: str, user: User | None = Depends(api_user_optional), session: Session = DbSession
) -> OrganizationPublic:
    org = service.get_visible(session, slug, user)
    if user and (user.is_admin or service.role_in(session, user, org)):
        return _private(org)
    return _public(org)


@router.patch("/{slug}", response_model=OrganizationPrivate)
def update_organization(
    slug: str, patch: OrganizationUpdate, user: User = Depends(api_user), session: Session = DbSession
) -> OrganizationPrivate:
    org = service.get_managed(session, slug, user)
    return _private(service.update(session, user, org, patch))


@router.put("/{slug}/logo", response_model=OrganizationPrivate)
def upload_logo(
    slug: str,
    file: UploadFile,
    request: Request,
    user: User = Depends(api_user),
    session: Session = DbSession,
) -> OrganizationPrivate:
    data = upload_bytes(request, file)
    org = service.get_managed(session, slug, user)
    service.set_logo(session, request.app.state.settings, user, org, data)
    return _private(org)


@router.post("/{slug}/invitations", status_code=201)
def invite_member(
    slug: str,
    data: InvitationCreate,
    request: Request,
    user: User = Depends(api_user),
    session: Session = DbSession,
) -> dict[str, str]:
    org = service.get_managed(session, slug, user)
    invitation = service.invite(session, request.app.state.settings, user, org, data.email, data.role)
    return {"email": invitation.email, "role": invitation.role}


@router.post("/invitations/{token}/accept", response_model=OrganizationPrivate)
def accept_invitation(
    token: str, user: User = Depends(api_user), session: Session = DbSession
) -> OrganizationPrivate:
    return _private(service.accept_invitation(session, user, token))


# --- administrators ---


@router.get("/admin/queue", response_model=list[OrganizationPrivate], tags=["admin"])
def verification_queue(user: User = Depends(api_user), session: Session = DbSession) -> list:
    return [_private(o) for o in service.verification_queue(session, user)]


@router.post("/{slug}/verify", response_model=OrganizationPrivate, tags=["admin"])
def verify(slug: str, user: User = Depends(api_user), session: Session = DbSession) -> OrganizationPrivate:
    org = service.get_by_slug(session, slug)
    service.verify(session, user, org)
    return _private(org)


@router.post("/{slug}/reject", response_model=OrganizationPrivate, tags=["admin"])
def reject(
    slug: str, decision: Decision, user: User = Depends(api_user), session: Session = DbSession
) -> OrganizationPrivate:
    org = service.get_by_slug(session, slug)
    service.reject(session, user, org, decision.reason)
    return _private(org)


@router.post("/{slug}/suspend", response_model=OrganizationPrivate, tags=["admin"])
def suspend(
    slug: str, decision: Decision, user: User = Depends(api_user), session: Session = DbSession
) -> OrganizationPrivate:
    org = service.get_by_slug(session, slug)
    service.suspend(session, user, org, decision.reason)
    return _private(org)


@router.post("/{slug}/reinstate", response_model=OrganizationPrivate, tags=["admin"])
def reinstate(
    slug: str,
    decision: Decision | None = None,
    user: User = Depends(api_user),
    session: Session = DbSession,
) -> OrganizationPrivate:
    org = service.get_by_slug(session, slug)
    service.reinstate(session, user, org, decision.reason if decision else None)
    return _private(org)
