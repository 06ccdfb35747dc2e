"""Institutions that buy: registration with their CFDI data, members, and the administrators' verification
(a verified institution may buy on invoice terms)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from market.accounts.confirmation import require_confirmed
from market.accounts.models import User
from market.admin import audit
from market.admin.audit import require_admin
from market.db import utcnow
from market.errors import Forbidden, InvalidTransition, NotFound
from market.i18n import N_
from market.invoicing import receiver_data
from market.linking import buyer_members
from market.linking.models import BuyerMembership, BuyerOrganization
from market.linking.schemas import BuyerOrganizationCreate, PurchasingSettings
from market.organizations.models import Membership, VerificationStatus
from market.slugs import slugify


def create(
    session: Session, owner: User, data: BuyerOrganizationCreate, producer_organization_id: int | None = None
) -> BuyerOrganization:
    """Register an institution, its creator as owner; it waits for verification. A cooperative that sells
    may register as a buyer too, linked to its producer organization (its members must be the owner's)."""
    assert owner.id is not None
    require_confirmed(owner)
    receiver_data.check_institution(
        data.rfc, data.razon_social, data.regimen_fiscal, data.codigo_postal, data.uso_cfdi
    )
    if (
        producer_organization_id is not None
        and not session.exec(
            select(Membership.id).where(
                Membership.user_id == owner.id, Membership.organization_id == producer_organization_id
            )
        ).first()
    ):
        raise Forbidden(
            N_("Solo las personas integrantes de la cooperativa pueden registrarla como compradora.")
        )
    base = slugify(data.name)
    slug, n = base, 1
    while session.exec(select(BuyerOrganization.id).where(BuyerOrganization.slug == slug)).first():
        n += 1
        slug = f"{base}-{n}"
    buyer = BuyerOrganization(
        slug=slug, producer_organization_id=producer_organization_id, **data.model_dump()
    )
    session.add(buyer)
    session.flush()
    assert buyer.id is not None
    session.add(BuyerMembership(user_id=owner.id, buyer_organization_id=buyer.id, role="owner"))
    return buyer


def of_user(session: Session, user: User) -> list[BuyerOrganization]:
    return list(
        session.exec(
            select(BuyerOrganization)
            .join(BuyerMembership, col(BuyerMembership.buyer_organization_id) == BuyerOrganization.id)
            .where(BuyerMembership.user_id == user.id)
            .order_by(col(BuyerOrganization.name))
        ).all()
    )


def buying_for(session: Session, user: User) -> int | None:
    """The institution a person's cart checkout is bought for: the one verified institution they belong to
    now (none when they belong to none, or to several and the order cannot tell which). Recorded on the
    order when it is placed, so that joining or leaving later does not move past purchases."""
    institutions = session.exec(
        select(BuyerOrganization.id)
        .join(BuyerMembership, col(BuyerMembership.buyer_organization_id) == BuyerOrganization.id)
        .where(
            BuyerMembership.user_id == user.id,
            BuyerOrganization.verification_status == VerificationStatus.VERIFIED,
        )
        .limit(2)
    ).all()
    return institutions[0] if len(institutions) == 1 else None


def get(session: Session, buyer_id: int) -> BuyerOrganization:
    buyer = session.get(BuyerOrganization, buyer_id)
    if buyer is None:
        raise NotFound()
    return buyer


def visible(session: Session, user: User, buyer_id: int) -> BuyerOrganization:
    """The institution, for its members and the administrators; to anyone else it does not exist (the 404
    of an unknown id, never a refusal that names it)."""
    buyer = session.get(BuyerOrganization, buyer_id)
    if buyer is None or not (user.is_admin or is_member(session, user, buyer)):
        raise NotFound()
    return buyer


def get_for_admin(session: Session, admin: User, buyer_id: int) -> BuyerOrganization:
    """For the administrators' decisions: others are refused before the lookup, whether it exists or not."""
    require_admin(admin)
    return get(session, buyer_id)


def is_member(session: Session, user: User | None, buyer: BuyerOrganization) -> bool:
    return user is not None and (
        session.exec(
            select(BuyerMembership.id).where(
                BuyerMembership.user_id == user.id, BuyerMembership.buyer_organization_id == buyer.id
            )
        ).first()
        is not None
    )


def require_member(session: Session, user: User, buyer: BuyerOrganization) -> None:
    """Refuses without naming the institution: whoever may not know it exists was answered 404 before."""
    if not is_member(session, user, buyer):
        raise Forbidden(N_("Solo las personas integrantes de la institución pueden hacer esto."))


def owners(session: Session, buyer_organization_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(BuyerMembership, col(BuyerMembership.user_id) == User.id)
            .where(
                BuyerMembership.buyer_organization_id == buyer_organization_id,
                BuyerMembership.role == "owner",
            )
            .order_by(col(User.id))
        ).all()
    )


def require_owner(session: Session, user: User, buyer: BuyerOrganization) -> None:
    buyer_members.ROSTER.require(session, user, buyer, owner=True)


def set_purchasing(
    session: Session, user: User, buyer: BuyerOrganization, data: PurchasingSettings, fields: set[str]
) -> BuyerOrganization:
    """An owner decides how the institution buys (the `fields` given: a PATCH changes only those): whether
    every demand must name its partida, and above which amount an award needs a second owner's approval.
    A new amount applies to awards proposed from now on; one already pending stays pending."""
    require_confirmed(user)
    require_owner(session, user, buyer)
    for name in fields & set(PurchasingSettings.model_fields):
        setattr(buyer, name, getattr(data, name))
    session.add(buyer)
    return buyer


def verification_queue(session: Session, admin: User) -> list[BuyerOrganization]:
    require_admin(admin)
    return list(
        session.exec(
            select(BuyerOrganization)
            .where(BuyerOrganization.verification_status == VerificationStatus.PENDING)
            .order_by(col(BuyerOrganization.id))
        ).all()
    )


def decide(
    session: Session, admin: User, buyer: BuyerOrganization, verified: bool, reason: str | None
) -> None:
    """Verify an institution (its data checked against its CFDI and the SAT), or reject it with a reason."""
    require_admin(admin)
    if buyer.verification_status == VerificationStatus.VERIFIED and verified:
        raise InvalidTransition(current=buyer.verification_status, target=VerificationStatus.VERIFIED)
    if not verified:
        reason = audit.required_reason(reason, N_("Explica por qué se rechaza, para que puedan corregirlo."))
    buyer.verification_status = VerificationStatus.VERIFIED if verified else VerificationStatus.REJECTED
    buyer.verified_at = utcnow() if verified else None
    buyer.rejection_reason = None if verified else reason
    action = "buyer_organization.verify" if verified else "buyer_organization.reject"
    audit.record(
        session, admin, action, "buyer_organization", buyer.id or 0, buyer.name, buyer.rejection_reason
    )
