"""JSON API of productive linking: institutions, demands, quotes, the proposal, the award, the threads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from market.accounts.models import User
from market.bounds import Id
from market.catalog.taxonomy import CategorySlug, UnitCode
from market.deps import ApiUserDep, SessionDep, SettingsDep
from market.linking import approvals, awards, buyer_members, buyers, demands, messages
from market.linking.models import (
    ApprovalStatus,
    AwardApproval,
    BuyerMembership,
    BuyerOrganization,
    Demand,
    DemandStatus,
    Quote,
    QuoteStatus,
)
from market.linking.schemas import (
    Allocation,
    ApprovalDecision,
    AwardRequest,
    BuyerKind,
    BuyerOrganizationCreate,
    DeliveryFrequency,
    DemandCreate,
    DemandVisibility,
    MessageCreate,
    PurchasingSettings,
    QuoteCreate,
    RegimenFiscal,
    UsoCfdi,
)
from market.mexico import Certification, LegalForm, StateCode
from market.orders import queries
from market.orders.schemas import OrderPublic
from market.organizations import service as organizations
from market.organizations.models import Organization, VerificationStatus
from market.organizations.schemas import InvitationCreate, InvitationPublic

router = APIRouter(tags=["linking"])


class BuyerOrganizationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    kind: BuyerKind
    rfc: str
    razon_social: str
    regimen_fiscal: RegimenFiscal
    codigo_postal: str
    uso_cfdi: UsoCfdi
    state: StateCode
    municipality: str
    verification_status: VerificationStatus
    rejection_reason: str | None
    partida_required: bool
    approval_threshold_cents: int | None


class DemandPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    buyer_organization_id: int
    title: str
    description: str
    category: CategorySlug
    quantity: int
    unit: UnitCode
    delivery_state: StateCode
    delivery_municipality: str
    delivery_address: str | None  # only to those the demand concerns (see demands.addressed_to)
    first_delivery: date
    every_days: DeliveryFrequency | None
    deliveries: int
    quote_deadline: datetime
    max_unit_price_cents: int | None
    required_certifications: list[Certification]
    preferred_legal_forms: list[LegalForm]
    women_led_only: bool
    max_distance_km: int | None
    visibility: DemandVisibility
    status: DemandStatus
    purchase_order: str | None
    partida_code: str | None
    partida_description: str


class QuotePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    demand_id: int
    organization_id: int
    organization_name: str = ""
    unit_price_cents: int
    quantity: int
    delivery_note: str
    notes: str
    status: QuoteStatus


class QuoteRequest(QuoteCreate):
    organization: str  # the slug of the producer quoting


class Decision(BaseModel):
    verified: bool
    reason: str | None = None


class ProposalPublic(BaseModel):
    allocations: list[dict[str, int]]  # quote_id, organization_id, quantity, unit_price_cents
    missing: int
    total_cents: int


class AwardApprovalPublic(BaseModel):
    """An award that needed a second owner's approval: pending, approved or rejected (with the reason)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    demand_id: int
    status: ApprovalStatus
    proposed_by: int
    allocations: list[Allocation]
    total_cents: int  # every allocation at its quoted price, every delivery
    decided_by: int | None
    decided_at: datetime | None
    reason: str | None
    created_at: datetime


class MessagePublic(BaseModel):
    author: str
    body: str
    created_at: datetime


def _quote(quote: Quote, organization: Organization) -> QuotePublic:
    return QuotePublic.model_validate(quote, from_attributes=True).model_copy(
        update={"organization_name": organization.name}
    )


def _demand(session: Session, user: User, demand_id: int) -> Demand:
    return demands.visible(session, user, demand_id)


def _public(session: Session, user: User, found: list[Demand]) -> list[DemandPublic]:
    """The demands as this person may read them: the delivery address only where it concerns them."""
    shown = demands.addressed_to(session, user, found)
    return [
        DemandPublic.model_validate(d).model_copy(
            update={"delivery_address": d.delivery_address if d.id in shown else None}
        )
        for d in found
    ]


def _one(session: Session, user: User, demand: Demand) -> DemandPublic:
    return _public(session, user, [demand])[0]


def _quoting_as(session: Session, user: User, slug: str) -> Organization:
    return organizations.get_visible(session, slug, user)


@router.post("/buyer-organizations", response_model=BuyerOrganizationPublic, status_code=201)
def register_institution(
    data: BuyerOrganizationCreate, user: ApiUserDep, session: SessionDep
) -> BuyerOrganization:
    return buyers.create(session, user, data)


@router.get("/buyer-organizations", response_model=list[BuyerOrganizationPublic])
def my_institutions(user: ApiUserDep, session: SessionDep) -> list[BuyerOrganization]:
    return buyers.of_user(session, user)


@router.patch("/buyer-organizations/{buyer_id}", response_model=BuyerOrganizationPublic)
def update_purchasing(
    buyer_id: Id, data: PurchasingSettings, user: ApiUserDep, session: SessionDep
) -> BuyerOrganization:
    """How the institution buys (its owners): whether every demand must name its partida, and the amount in
    centavos above which an award waits for a second owner's approval (null: no second approval). Only the
    fields sent change."""
    buyer = buyers.visible(session, user, buyer_id)
    return buyers.set_purchasing(session, user, buyer, data, data.model_fields_set)


@router.post(
    "/buyer-organizations/{buyer_id}/decision", response_model=BuyerOrganizationPublic, tags=["admin"]
)
def decide(buyer_id: Id, decision: Decision, user: ApiUserDep, session: SessionDep) -> BuyerOrganization:
    buyer = buyers.get_for_admin(session, user, buyer_id)
    buyers.decide(session, user, buyer, decision.verified, decision.reason)
    return buyer


@router.post("/buyer-organizations/{buyer_id}/demands", response_model=DemandPublic, status_code=201)
def create_demand(buyer_id: Id, data: DemandCreate, user: ApiUserDep, session: SessionDep) -> DemandPublic:
    return _one(session, user, demands.create(session, user, buyers.visible(session, user, buyer_id), data))


@router.get("/buyer-organizations/{buyer_id}/demands", response_model=list[DemandPublic])
def demands_of_institution(buyer_id: Id, user: ApiUserDep, session: SessionDep) -> list[DemandPublic]:
    return _public(session, user, demands.of_buyer(session, user, buyers.visible(session, user, buyer_id)))


@router.get("/demands", response_model=list[DemandPublic])
def open_demands(user: ApiUserDep, session: SessionDep) -> list[DemandPublic]:
    """Open public demands, soonest deadline first, for those who may quote them (empty for anyone else)."""
    return _public(session, user, demands.open_public(session, user))


@router.get("/organizations/{slug}/demands", response_model=list[DemandPublic])
def demands_for_producer(slug: str, user: ApiUserDep, session: SessionDep) -> list[DemandPublic]:
    """The open demands this producer fits or was invited to, best fit first (its members only)."""
    organization = organizations.get_managed(session, slug, user)
    return _public(session, user, [demand for demand, _fit in demands.for_producer(session, organization)])


@router.get("/demands/{demand_id}", response_model=DemandPublic)
def get_demand(demand_id: Id, user: ApiUserDep, session: SessionDep) -> DemandPublic:
    return _one(session, user, _demand(session, user, demand_id))


@router.post("/demands/{demand_id}/open", response_model=DemandPublic)
def open_demand(demand_id: Id, user: ApiUserDep, session: SessionDep) -> DemandPublic:
    return _one(session, user, demands.open_for_quotes(session, user, _demand(session, user, demand_id)))


@router.post("/demands/{demand_id}/cancel", response_model=DemandPublic)
def cancel_demand(demand_id: Id, user: ApiUserDep, session: SessionDep) -> DemandPublic:
    return _one(session, user, demands.cancel(session, user, _demand(session, user, demand_id)))


@router.post(
    "/demands/{demand_id}/quotes",
    response_model=QuotePublic,
    status_code=201,
    responses={200: {"model": QuotePublic, "description": "The producer's standing quote, revised"}},
)
def send_quote(
    demand_id: Id,
    data: QuoteRequest,
    response: Response,
    user: ApiUserDep,
    session: SessionDep,
) -> QuotePublic:
    """Send, or revise, the producer's quote (one per producer and demand)."""
    demand = _demand(session, user, demand_id)
    organization = _quoting_as(session, user, data.organization)
    if demands.quote_of(session, demand, organization) is not None:
        response.status_code = 200
    quote = demands.submit_quote(
        session, user, demand, organization, QuoteCreate(**data.model_dump(exclude={"organization"}))
    )
    return _quote(quote, organization)


@router.get("/demands/{demand_id}/quotes", response_model=list[QuotePublic])
def list_quotes(demand_id: Id, user: ApiUserDep, session: SessionDep) -> list[QuotePublic]:
    """All quotes for the institution; only its own for a producer."""
    demand = _demand(session, user, demand_id)
    return [_quote(quote, org) for quote, org in demands.quotes_for(session, user, demand)]


@router.post("/quotes/{quote_id}/withdraw", response_model=QuotePublic)
def withdraw_quote(quote_id: Id, user: ApiUserDep, session: SessionDep) -> QuotePublic:
    quote = demands.withdraw_quote(session, user, quote_id)
    organization = session.get(Organization, quote.organization_id)
    assert organization is not None
    return _quote(quote, organization)


@router.get("/demands/{demand_id}/proposal", response_model=ProposalPublic)
def proposal(demand_id: Id, user: ApiUserDep, session: SessionDep) -> ProposalPublic:
    """The cheapest cover of the quantity by the standing quotes (the institution's members only)."""
    demand = _demand(session, user, demand_id)
    buyers.require_member(session, user, buyers.get(session, demand.buyer_organization_id))
    found = awards.propose(session, demand)
    return ProposalPublic(
        allocations=[
            {
                "quote_id": quote.id or 0,
                "organization_id": org.id or 0,
                "quantity": quantity,
                "unit_price_cents": quote.unit_price_cents,
            }
            for quote, org, quantity in found.allocations
        ],
        missing=found.missing,
        total_cents=found.total_cents,
    )


@router.post(
    "/demands/{demand_id}/award",
    response_model=list[OrderPublic],
    status_code=201,
    responses={
        202: {
            "model": AwardApprovalPublic,
            "description": "Above the institution's amount: waits for approval",
        }
    },
)
def award(
    demand_id: Id,
    data: AwardRequest,
    user: ApiUserDep,
    session: SessionDep,
    settings: SettingsDep,
) -> list[OrderPublic] | JSONResponse:
    """Award quotes that together cover the quantity; returns the order(s) placed now (201), or, when the
    total over every delivery is above the institution's approval amount, the pending approval (202)."""
    demand = _demand(session, user, demand_id)
    outcome = approvals.request_award(session, settings, user, demand, data)
    if outcome.approval is not None:
        body = AwardApprovalPublic.model_validate(outcome.approval).model_dump(mode="json")
        return JSONResponse(body, status_code=202)
    return [queries.to_public(session, order) for order in outcome.orders]


@router.get("/demands/{demand_id}/award/approvals", response_model=list[AwardApprovalPublic])
def award_approvals(demand_id: Id, user: ApiUserDep, session: SessionDep) -> list[AwardApproval]:
    """The demand's awards that needed a second approval, newest first (the institution's members)."""
    return approvals.history(session, user, _demand(session, user, demand_id))


@router.post("/demands/{demand_id}/award/approve", response_model=list[OrderPublic])
def approve_award(
    demand_id: Id, user: ApiUserDep, session: SessionDep, settings: SettingsDep
) -> list[OrderPublic]:
    """Another owner approves the pending award: it is checked again and made; returns the order(s) placed."""
    placed = approvals.approve(session, settings, user, _demand(session, user, demand_id))
    return [queries.to_public(session, order) for order in placed]


@router.post("/demands/{demand_id}/award/reject", response_model=AwardApprovalPublic)
def reject_award(
    demand_id: Id, data: ApprovalDecision, user: ApiUserDep, session: SessionDep
) -> AwardApproval:
    """Another owner rejects the pending award with a reason (or its proposer withdraws it)."""
    return approvals.reject(session, user, _demand(session, user, demand_id), data.reason)


@router.get("/demands/{demand_id}/threads/{slug}", response_model=list[MessagePublic])
def read_thread(demand_id: Id, slug: str, user: ApiUserDep, session: SessionDep) -> list[MessagePublic]:
    demand = _demand(session, user, demand_id)
    found = messages.thread(session, user, demand, messages.counterpart(session, slug))
    return [MessagePublic(author=author.name, body=m.body, created_at=m.created_at) for m, author in found]


@router.post("/demands/{demand_id}/threads/{slug}", response_model=MessagePublic, status_code=201)
def write_thread(
    demand_id: Id,
    slug: str,
    data: MessageCreate,
    user: ApiUserDep,
    session: SessionDep,
) -> MessagePublic:
    demand = _demand(session, user, demand_id)
    message = messages.post(session, user, demand, messages.counterpart(session, slug), data.body)
    return MessagePublic(author=user.name, body=message.body, created_at=message.created_at)


@router.get("/fulfillments/{fulfillment_id}/messages", response_model=list[MessagePublic])
def read_fulfillment_thread(fulfillment_id: Id, user: ApiUserDep, session: SessionDep) -> list[MessagePublic]:
    found = messages.fulfillment_thread(session, user, fulfillment_id)
    return [MessagePublic(author=author.name, body=m.body, created_at=m.created_at) for m, author in found]


@router.post("/fulfillments/{fulfillment_id}/messages", response_model=MessagePublic, status_code=201)
def write_fulfillment_thread(
    fulfillment_id: Id, data: MessageCreate, user: ApiUserDep, session: SessionDep
) -> MessagePublic:
    message = messages.post_on_fulfillment(session, user, fulfillment_id, data.body)
    return MessagePublic(author=user.name, body=message.body, created_at=message.created_at)


class InstitutionMember(BaseModel):
    user_id: int
    name: str
    email: str
    role: Literal["owner", "member"]
    since: datetime


class RoleChange(BaseModel):
    role: Literal["owner", "member"]


@router.post(
    "/buyer-organizations/{buyer_id}/invitations",
    response_model=InvitationPublic,
    status_code=201,
    responses={
        409: {"description": "Already a member: roles are changed on the members' endpoints"},
        429: {"description": "Too many invitations from this institution in the last hour; nothing sent"},
    },
)
def invite_member(
    buyer_id: Id, data: InvitationCreate, user: ApiUserDep, session: SessionDep
) -> InvitationPublic:
    """Its owners invite a colleague by e-mail; the colleague joins (and can then post demands and award)
    only by accepting. The answer is the same whether or not the address has an account. A pending
    invitation to the same address is replaced, so this is also how to resend one."""
    buyer = buyers.visible(session, user, buyer_id)
    return InvitationPublic.model_validate(
        buyer_members.invite(session, user, buyer, str(data.email), data.role)
    )


@router.get("/buyer-organizations/{buyer_id}/invitations", response_model=list[InvitationPublic])
def list_invitations(buyer_id: Id, user: ApiUserDep, session: SessionDep) -> list[InvitationPublic]:
    """The invitations nobody has accepted nor revoked, newest first; expired ones too (to resend them)."""
    buyer = buyers.visible(session, user, buyer_id)
    return [InvitationPublic.model_validate(i) for i in buyer_members.invitations(session, user, buyer)]


@router.delete(
    "/buyer-organizations/{buyer_id}/invitations/{invitation_id}",
    status_code=204,
    responses={404: {"description": "No pending invitation of this institution with that id"}},
)
def revoke_invitation(buyer_id: Id, invitation_id: Id, user: ApiUserDep, session: SessionDep) -> Response:
    """Its owners take back an invitation nobody accepted: its link stops working at once."""
    buyer = buyers.visible(session, user, buyer_id)
    buyer_members.revoke_invitation(session, user, buyer, invitation_id)
    return Response(status_code=204)


@router.post(
    "/buyer-organizations/invitations/{token}/accept",
    response_model=BuyerOrganizationPublic,
    responses={410: {"description": "The invitation expired or was revoked; nothing changed"}},
)
def accept_invitation(token: str, user: ApiUserDep, session: SessionDep) -> BuyerOrganization:
    """The signed-in person whose e-mail was invited joins the institution, with the invited role (once,
    within seven days, unless an owner revoked it)."""
    return buyer_members.accept_invitation(session, user, token)


def _member(person: User, membership: BuyerMembership) -> InstitutionMember:
    return InstitutionMember(
        user_id=person.id or 0,
        name=person.name,
        email=person.email,
        role=membership.role,
        since=membership.created_at,
    )


@router.get("/buyer-organizations/{buyer_id}/members", response_model=list[InstitutionMember])
def list_members(buyer_id: Id, user: ApiUserDep, session: SessionDep) -> list[InstitutionMember]:
    """Who belongs (for its members): owners first, then in the order they joined."""
    buyer = buyers.visible(session, user, buyer_id)
    return [_member(*row) for row in buyer_members.roster(session, user, buyer)]


@router.patch(
    "/buyer-organizations/{buyer_id}/members/{user_id}",
    response_model=InstitutionMember,
    responses={409: {"description": "The last owner cannot become a member"}},
)
def change_member_role(
    buyer_id: Id, user_id: Id, data: RoleChange, user: ApiUserDep, session: SessionDep
) -> InstitutionMember:
    buyer = buyers.visible(session, user, buyer_id)
    membership = buyer_members.change_role(session, user, buyer, user_id, data.role)
    person = session.get(User, user_id)
    assert person is not None
    return _member(person, membership)


@router.delete(
    "/buyer-organizations/{buyer_id}/members/{user_id}",
    status_code=204,
    responses={
        404: {"description": "Not a member of this institution"},
        409: {"description": "The last owner cannot be removed"},
    },
)
def remove_member(buyer_id: Id, user_id: Id, user: ApiUserDep, session: SessionDep) -> Response:
    """Its owners take someone out: they lose access to the institution with their next request."""
    buyer = buyers.visible(session, user, buyer_id)
    buyer_members.remove(session, user, buyer, user_id)
    return Response(status_code=204)


@router.post(
    "/buyer-organizations/{buyer_id}/leave",
    status_code=204,
    responses={409: {"description": "The last owner cannot leave"}},
)
def leave_institution(buyer_id: Id, user: ApiUserDep, session: SessionDep) -> Response:
    buyer = buyers.visible(session, user, buyer_id)
    buyer_members.leave(session, user, buyer)
    return Response(status_code=204)
