"""JSON API for organizations: public reads, management by owners, verification by administrators."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request, Response, UploadFile
from sqlmodel import Session

from market.accounts.models import User
from market.bounds import Id, PageNumber
from market.deps import ApiUserDep, ApiVisitorDep, SessionDep, SettingsDep
from market.documents import service as documents
from market.documents.checklist import Badges
from market.documents.schemas import BadgesPublic
from market.media import media_url
from market.mexico import LegalForm, StateCode
from market.organizations import changes, members, service
from market.organizations.models import Organization, OrganizationChange
from market.organizations.schemas import (
    Decision,
    InvitationCreate,
    InvitationPublic,
    MemberPublic,
    OrganizationChangePublic,
    OrganizationCreate,
    OrganizationPrivate,
    OrganizationPublic,
    OrganizationUpdate,
    RoleChange,
)
from market.pagination import Page
from market.web import upload_bytes

router = APIRouter(prefix="/organizations", tags=["organizations"])


def _public(org: Organization, badges: Badges | None = None) -> OrganizationPublic:
    return OrganizationPublic.model_validate(
        org.model_dump()
        | {"logo_url": media_url(org.logo_path), "badges": BadgesPublic.of(badges) if badges else None}
    )


def _private(org: Organization, session: Session) -> OrganizationPrivate:
    change = changes.pending_of(session, org.id)
    badges = documents.badges_of(session, [org])[org.id or 0]
    return OrganizationPrivate.model_validate(
        org.model_dump()
        | {
            "logo_url": media_url(org.logo_path),
            "pending_changes": change.changes if change else {},
            "badges": BadgesPublic.of(badges),
        }
    )


def _change(change: OrganizationChange, org: Organization, requester: User) -> OrganizationChangePublic:
    return OrganizationChangePublic.model_validate(
        change.model_dump()
        | {
            "organization_slug": org.slug,
            "organization_name": org.name,
            "requested_by_name": requester.name,
            "current": {field: getattr(org, field) for field in change.changes},
        }
    )


@router.get("", response_model=Page[OrganizationPublic])
def list_organizations(
    session: SessionDep,
    state: StateCode | None = Query(None, description="INEGI code, e.g. 07 (Chiapas)"),
    legal_form: LegalForm | None = None,
    page: PageNumber = 1,
    per_page: int = Query(20, ge=1, le=100),
) -> Page[OrganizationPublic]:
    result = service.list_public(session, state=state, legal_form=legal_form, page=page, per_page=per_page)
    badges = documents.badges_of(session, result.items)
    return Page(
        items=[_public(o, badges[o.id or 0]) for o in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@router.post("", response_model=OrganizationPrivate, status_code=201)
def create_organization(
    data: OrganizationCreate, user: ApiUserDep, session: SessionDep
) -> OrganizationPrivate:
    return _private(service.create(session, user, data), session)


@router.get("/mine", response_model=list[OrganizationPrivate])
def my_organizations(user: ApiUserDep, session: SessionDep) -> list[OrganizationPrivate]:
    return [_private(org, session) for org, _role in service.for_user(session, user)]


@router.get("/{slug}", response_model=OrganizationPublic | OrganizationPrivate)
def get_organization(slug: str, user: ApiVisitorDep, session: SessionDep) -> OrganizationPublic:
    org = service.get_visible(session, slug, user)
    if user and (user.is_admin or service.role_in(session, user, org)):
        return _private(org, session)
    return _public(org, documents.badges_of(session, [org])[org.id or 0])


@router.patch("/{slug}", response_model=OrganizationPrivate)
def update_organization(
    slug: str, patch: OrganizationUpdate, user: ApiUserDep, session: SessionDep
) -> OrganizationPrivate:
    org = service.get_managed(session, slug, user)
    service.update(session, user, org, patch)  # name, RFC or CLABE may wait for review: see pending_changes
    return _private(org, session)


@router.put(
    "/{slug}/logo",
    response_model=OrganizationPrivate,
    responses={
        422: {"description": "Not a JPEG, PNG or WebP, too many pixels or frames; nothing was stored"},
        429: {"description": "The person's images per hour are used up; `Retry-After` says when"},
        503: {"description": "The media storage does not answer; nothing was stored"},
    },
)
def upload_logo(
    slug: str,
    file: UploadFile,
    request: Request,
    user: ApiUserDep,
    settings: SettingsDep,
    session: SessionDep,
) -> OrganizationPrivate:
    data = upload_bytes(request, file)
    org = service.get_managed(session, slug, user)
    service.set_logo(session, settings, user, org, data)
    return _private(org, session)


@router.post(
    "/{slug}/invitations",
    response_model=InvitationPublic,
    status_code=201,
    responses={
        409: {"description": "Already a member: roles are changed on the members' endpoints"},
        429: {"description": "Too many invitations from this organization in the last hour; nothing sent"},
    },
)
def invite_member(
    slug: str, data: InvitationCreate, user: ApiUserDep, session: SessionDep
) -> InvitationPublic:
    org = service.get_managed(session, slug, user)
    """Invite by e-mail (its owners only); a pending invitation to the same address is replaced, so this
    also resends one. It expires after seven days."""
    invitation = service.invite(session, user, org, data.email, data.role)
    return InvitationPublic.model_validate(invitation)


@router.get("/{slug}/invitations", response_model=list[InvitationPublic])
def list_invitations(slug: str, user: ApiUserDep, session: SessionDep) -> list[InvitationPublic]:
    """The invitations nobody has accepted nor revoked, newest first; expired ones too (to resend them)."""
    org = service.get_managed(session, slug, user)
    return [InvitationPublic.model_validate(i) for i in members.invitations(session, user, org)]


@router.delete(
    "/{slug}/invitations/{invitation_id}",
    status_code=204,
    responses={404: {"description": "No pending invitation of this organization with that id"}},
)
def revoke_invitation(slug: str, invitation_id: Id, user: ApiUserDep, session: SessionDep) -> Response:
    """Its link stops working at once."""
    org = service.get_managed(session, slug, user)
    members.revoke_invitation(session, user, org, invitation_id)
    return Response(status_code=204)


@router.post(
    "/invitations/{token}/accept",
    response_model=OrganizationPrivate,
    responses={410: {"description": "The invitation expired or was revoked; nothing changed"}},
)
def accept_invitation(token: str, user: ApiUserDep, session: SessionDep) -> OrganizationPrivate:
    return _private(service.accept_invitation(session, user, token), session)


def _member(person: User, role: str, since: datetime) -> MemberPublic:
    return MemberPublic(user_id=person.id or 0, name=person.name, email=person.email, role=role, since=since)


@router.get("/{slug}/members", response_model=list[MemberPublic])
def list_members(slug: str, user: ApiUserDep, session: SessionDep) -> list[MemberPublic]:
    """Who belongs (for its members): owners first, then in the order they joined."""
    org = service.get_managed(session, slug, user)
    return [_member(p, m.role, m.created_at) for p, m in members.roster(session, user, org)]


@router.patch(
    "/{slug}/members/{user_id}",
    response_model=MemberPublic,
    responses={409: {"description": "The last owner cannot become a member"}},
)
def change_member_role(
    slug: str, user_id: Id, data: RoleChange, user: ApiUserDep, session: SessionDep
) -> MemberPublic:
    org = service.get_managed(session, slug, user)
    membership = members.change_role(session, user, org, user_id, data.role)
    person = session.get(User, user_id)
    assert person is not None
    return _member(person, membership.role, membership.created_at)


@router.delete(
    "/{slug}/members/{user_id}",
    status_code=204,
    responses={
        404: {"description": "Not a member of this organization"},
        409: {"description": "The last owner cannot be removed"},
    },
)
def remove_member(slug: str, user_id: Id, user: ApiUserDep, session: SessionDep) -> Response:
    """Its owners take someone out: they lose access to the organization with their next request."""
    org = service.get_managed(session, slug, user)
    members.remove(session, user, org, user_id)
    return Response(status_code=204)


@router.post(
    "/{slug}/leave", status_code=204, responses={409: {"description": "The last owner cannot leave"}}
)
def leave_organization(slug: str, user: ApiUserDep, session: SessionDep) -> Response:
    org = service.get_managed(session, slug, user)
    members.leave(session, user, org)
    return Response(status_code=204)


# --- administrators ---


@router.get("/admin/queue", response_model=list[OrganizationPrivate], tags=["admin"])
def verification_queue(user: ApiUserDep, session: SessionDep) -> list[OrganizationPrivate]:
    return [_private(o, session) for o in service.verification_queue(session, user)]


@router.post("/{slug}/verify", response_model=OrganizationPrivate, tags=["admin"])
def verify(slug: str, user: ApiUserDep, session: SessionDep) -> OrganizationPrivate:
    org = service.get_for_admin(session, slug, user)
    service.verify(session, user, org)
    return _private(org, session)


@router.post("/{slug}/reject", response_model=OrganizationPrivate, tags=["admin"])
def reject(slug: str, decision: Decision, user: ApiUserDep, session: SessionDep) -> OrganizationPrivate:
    org = service.get_for_admin(session, slug, user)
    service.reject(session, user, org, decision.reason)
    return _private(org, session)


@router.post("/{slug}/suspend", response_model=OrganizationPrivate, tags=["admin"])
def suspend(slug: str, decision: Decision, user: ApiUserDep, session: SessionDep) -> OrganizationPrivate:
    org = service.get_for_admin(session, slug, user)
    service.suspend(session, user, org, decision.reason)
    return _private(org, session)


@router.post("/{slug}/reinstate", response_model=OrganizationPrivate, tags=["admin"])
def reinstate(
    slug: str, user: ApiUserDep, session: SessionDep, decision: Decision | None = None
) -> OrganizationPrivate:
    org = service.get_for_admin(session, slug, user)
    service.reinstate(session, user, org, decision.reason if decision else None)
    return _private(org, session)


@router.get("/admin/changes", response_model=list[OrganizationChangePublic], tags=["admin"])
def pending_changes(user: ApiUserDep, session: SessionDep) -> list[OrganizationChangePublic]:
    """Changes of verified organizations' name, RFC or CLABE waiting for a decision, oldest first."""
    return [_change(*row) for row in changes.pending(session, user)]


def _decided(session: Session, change: OrganizationChange, org: Organization) -> OrganizationChangePublic:
    requester = session.get(User, change.requested_by_id)
    assert requester is not None
    return _change(change, org, requester)


@router.post("/changes/{change_id}/approve", response_model=OrganizationChangePublic, tags=["admin"])
def approve_change(change_id: Id, user: ApiUserDep, session: SessionDep) -> OrganizationChangePublic:
    return _decided(session, *changes.approve(session, user, change_id))


@router.post("/changes/{change_id}/reject", response_model=OrganizationChangePublic, tags=["admin"])
def reject_change(
    change_id: Id, decision: Decision, user: ApiUserDep, session: SessionDep
) -> OrganizationChangePublic:
    return _decided(session, *changes.reject(session, user, change_id, decision.reason))
