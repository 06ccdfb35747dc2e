"""JSON API: the buyer opens a dispute on a part, those involved read it, an administrator resolves it."""

from __future__ import annotations

from fastapi import APIRouter

from market.bounds import Id
from market.deps import ApiUserDep, SessionDep
from market.disputes import queries, service
from market.disputes.schemas import DisputeOpen, DisputePublic, DisputeResolve

router = APIRouter(tags=["disputes"])


@router.post(
    "/fulfillments/{fulfillment_id}/dispute",
    response_model=DisputePublic,
    status_code=201,
    responses={409: {"description": "Already disputed, or the part cannot be disputed in its state"}},
)
def open_dispute(
    fulfillment_id: Id, data: DisputeOpen, user: ApiUserDep, session: SessionDep
) -> DisputePublic:
    dispute = service.open(session, user, fulfillment_id, data.reason)
    return queries.to_public(session, dispute)


@router.get("/disputes/{dispute_id}", response_model=DisputePublic)
def get_dispute(dispute_id: Id, user: ApiUserDep, session: SessionDep) -> DisputePublic:
    case = queries.visible(session, user, dispute_id)
    assert case.dispute is not None
    return queries.to_public(session, case.dispute)


@router.post(
    "/admin/disputes/{dispute_id}/resolve",
    response_model=DisputePublic,
    tags=["admin"],
    responses={409: {"description": "Already resolved"}},
)
def resolve_dispute(
    dispute_id: Id, data: DisputeResolve, user: ApiUserDep, session: SessionDep
) -> DisputePublic:
    dispute = service.resolve(session, user, dispute_id, data.outcome, data.amount_cents, data.note)
    return queries.to_public(session, dispute)
