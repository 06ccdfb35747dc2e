"""Organizations: creation, membership and roles, invitations, the verification workflow."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from market import media, uploads
from market.accounts.confirmation import require_confirmed
from market.accounts.models import User
from market.admin import audit
from market.admin.audit import require_admin
from market.config import Settings
from market.db import utcnow
from market.errors import (
    Forbidden,
    InvalidTransition,
    OrganizationNotFound,
    ValidationFailed,
)
from market.i18n import N_
from market.mail import kinds
from market.organizations import changes
from market.organizations.effects import notify_owners, touched
from market.organizations.members import INVITATIONS
from market.organizations.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationChange,
    VerificationStatus,
)
from market.organizations.schemas import OrganizationBase, OrganizationCreate, OrganizationUpdate
from market.pagination import Page, paginate
from market.slugs import slugify
from market.storage import discard_after_commit, storage_for
from market.urls import path_for
from market.validation import field_errors


def public_organizations_query() -> Any:
    return select(Organization).where(
        Organization.verification_status == VerificationStatus.VERIFIED,
        col(Organization.suspended).is_(False),
    )


def list_public(
    session: Session,
    *,
    state: str | None = None,
    legal_form: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[Organization]:
    query = public_organizations_query()
    if state:
        query = query.where(Organization.state == state)
    if legal_form:
        query = query.where(Organization.legal_form == legal_form)
    return paginate(session, query.order_by(col(Organization.name)), page, per_page)


def role_in(session: Session, user: User | None, organization: Organization) -> str | None:
    if user is None:
        return None
    # A column, read again on each call: a role just changed (or a membership just ended) counts at once.
    return session.exec(
        select(Membership.role).where(
            Membership.user_id == user.id, Membership.organization_id == organization.id
        )
    ).first()


def require_member(session: Session, user: User, organization: Organization) -> str:
    """The person's role. Refusals never name the organization: callers reach it through an id (a listing, a
    quote, a part of an order) and must first answer 404 to whoever may not know that object exists."""
    role = role_in(session, user, organization)
    if role is None:
        raise Forbidden(N_("Solo las personas integrantes de la organización pueden hacer esto."))
    return role


def require_owner(session: Session, user: User, organization: Organization) -> None:
    if require_member(session, user, organization) != "owner":
        raise Forbidden(N_("Solo quien administra la organización puede hacer esto."))


def get_by_slug(session: Session, slug: str) -> Organization:
    organization = session.exec(select(Organization).where(Organization.slug == slug)).first()
    if organization is None:
        raise OrganizationNotFound()
    return organization


def get_visible(session: Session, slug: str, viewer: User | None) -> Organization:
    """Public organizations for everyone; pending, rejected or suspended ones only for members and admins."""
    organization = get_by_slug(session, slug)
    if organization.is_public or (viewer and (viewer.is_admin or role_in(session, viewer, organization))):
        return organization
    raise OrganizationNotFound()


def get_managed(session: Session, slug: str, user: User) -> Organization:
    """The organization, for its members: one that is not public is, to anyone else, an unknown slug (404);
    a public one's private side is refused (403)."""
    organization = get_visible(session, slug, user)
    require_member(session, user, organization)
    return organization


def get_for_admin(session: Session, slug: str, admin: User) -> Organization:
    """For the administrators' decisions: whoever is not one is refused before the slug is looked up, so
    the refusal is the same whether it exists or not."""
    require_admin(admin)
    return get_by_slug(session, slug)


def for_user(session: Session, user: User) -> list[tuple[Organization, str]]:
    rows = session.exec(
        select(Organization, Membership.role)
        .join(Membership, col(Membership.organization_id) == Organization.id)
        .where(Membership.user_id == user.id)
        .order_by(col(Organization.name))
    ).all()
    return [(org, role) for org, role in rows]


def _unique_slug(session: Session, name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while session.exec(select(Organization.id).where(Organization.slug == slug)).first() is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create(session: Session, owner: User, data: OrganizationCreate) -> Organization:
    assert owner.id is not None
    require_confirmed(owner)
    organization = Organization(slug=_unique_slug(session, data.name), **data.model_dump())
    session.add(organization)
    session.flush()
    assert organization.id is not None
    session.add(Membership(user_id=owner.id, organization_id=organization.id, role="owner"))
    return organization


def update(
    session: Session, user: User, organization: Organization, patch: OrganizationUpdate
) -> OrganizationChange | None:
    """Apply an owner's edit. A verified organization's new name, RFC or CLABE is held for review instead:
    returned is the change that now waits (None when nothing was held)."""
    require_owner(session, user, organization)
    current = {field: getattr(organization, field) for field in OrganizationBase.model_fields}
    try:
        merged = OrganizationBase(**(current | patch.model_dump(exclude_unset=True)))
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None
    values = merged.model_dump()
    held = changes.held_back(organization, values)  # a verified organization's payout data waits for review
    for field, value in values.items():
        if field not in held:
            setattr(organization, field, value)
    change = changes.request(session, user, organization, held) if held else None
    if organization.verification_status == VerificationStatus.REJECTED:
        organization.verification_status = VerificationStatus.PENDING  # corrected data goes back to the queue
    touched(session, organization)
    return change


def set_logo(
    session: Session, settings: Settings, user: User, organization: Organization, data: bytes
) -> None:
    require_owner(session, user, organization)
    picture = media.inspect(data, settings.max_upload_bytes)  # its declared size, before any decoding
    uploads.count_upload(session, settings, user)
    path = media.store_single(picture, storage_for(settings), "organizations", media.LOGO_SIZE)
    discard_after_commit(session, [organization.logo_path])  # the logo it replaces
    organization.logo_path = path
    organization.updated_at = utcnow()


# --- verification (administrators) ---------------------------------------------------------------


def verification_queue(session: Session, admin: User) -> list[Organization]:
    require_admin(admin)
    return list(
        session.exec(
            select(Organization)
            .where(Organization.verification_status == VerificationStatus.PENDING)
            .order_by(col(Organization.created_at))
        ).all()
    )


def all_for_admin(session: Session, admin: User, status: str | None, page: int) -> Page[Organization]:
    require_admin(admin)
    query = select(Organization).order_by(col(Organization.created_at).desc())
    if status:
        query = query.where(Organization.verification_status == status)
    return paginate(session, query, page, 50)


def _audit(
    session: Session, admin: User, action: str, organization: Organization, reason: str | None = None
) -> None:
    audit.record(session, admin, action, "organization", organization.id or 0, organization.name, reason)


def verify(session: Session, admin: User, organization: Organization) -> None:
    require_admin(admin)
    if organization.verification_status == VerificationStatus.VERIFIED:
        raise InvalidTransition(current=VerificationStatus.VERIFIED, target=VerificationStatus.VERIFIED)
    organization.verification_status = VerificationStatus.VERIFIED
    organization.rejection_reason = None
    organization.verified_at = utcnow()
    touched(session, organization)
    _audit(session, admin, "organization.verify", organization)
    _news(session, organization, "verified")


def reject(session: Session, admin: User, organization: Organization, reason: str | None) -> None:
    require_admin(admin)
    reason = audit.required_reason(reason, N_("Explica el motivo para que la organización pueda corregirlo."))
    if organization.verification_status != VerificationStatus.PENDING:
        raise InvalidTransition(current=organization.verification_status, target=VerificationStatus.REJECTED)
    organization.verification_status = VerificationStatus.REJECTED
    organization.rejection_reason = reason
    _audit(session, admin, "organization.reject", organization, reason)
    _news(session, organization, "rejected", reason)


def suspend(session: Session, admin: User, organization: Organization, reason: str | None) -> None:
    require_admin(admin)
    reason = audit.required_reason(reason, N_("Explica el motivo de la suspensión."))
    if organization.suspended:
        raise InvalidTransition(current="suspended", target="suspended")
    organization.suspended = True
    organization.suspension_reason = reason
    touched(session, organization)  # every listing of it leaves search
    _audit(session, admin, "organization.suspend", organization, reason)
    _news(session, organization, "suspended", reason)


def reinstate(session: Session, admin: User, organization: Organization, reason: str | None) -> None:
    require_admin(admin)
    if not organization.suspended:
        raise InvalidTransition(current="active", target="active")
    reason = audit.required_reason(reason, audit.LIFT_REASON_MISSING)
    organization.suspended = False
    organization.suspension_reason = None
    touched(session, organization)
    _audit(session, admin, "organization.reinstate", organization, reason)
    _news(session, organization, "reinstated", reason)


def _news(session: Session, organization: Organization, event: str, reason: str | None = None) -> None:
    """Its owners hear what an administrator decided about the organization, and why."""
    link = path_for("organizations.manage", slug=organization.slug)
    notify_owners(session, organization, kinds.ORGANIZATION_NEWS, link=link, event=event, reason=reason)


# --- members and invitations ---------------------------------------------------------------------


def members(session: Session, organization: Organization) -> list[tuple[User, str]]:
    rows = session.exec(
        select(User, Membership.role)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.organization_id == organization.id)
        .order_by(col(User.name))
    ).all()
    return [(user, role) for user, role in rows]


def invite(session: Session, owner: User, organization: Organization, email: str, role: str) -> Invitation:
    """Its owners invite by e-mail (market/organizations/invitations.py)."""
    return INVITATIONS.invite(session, owner, organization, email, role)


def pending_invitations(session: Session, user: User) -> list[tuple[Invitation, Organization]]:
    return INVITATIONS.for_person(session, user)


def open_invitation(session: Session, user: User, token: str, *, lock: bool = False) -> Invitation:
    """The invitation this person may accept now; refused with why it may not (unknown, used or for
    another address: 404; revoked or expired: 410)."""
    return INVITATIONS.open(session, user, token, lock=lock)


def accept_invitation(session: Session, user: User, token: str) -> Organization:
    """Join through an invitation to this person's address: once, before it expires, unless revoked."""
    organization: Organization = INVITATIONS.accept(session, user, token)
    return organization
