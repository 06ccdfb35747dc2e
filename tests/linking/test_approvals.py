"""The second approval of large awards, through the services and the JSON API: the owners set the amount; an
award above it waits (no orders, no producer told) until a different owner approves it, which makes it as any
award, or rejects it with a reason; the proposer never approves their own; two approvers at once approve
once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction
from market.errors import Conflict, Forbidden
from market.linking import approvals, awards, buyers
from market.linking.models import (
    ApprovalStatus,
    AwardApproval,
    BuyerMembership,
    BuyerOrganization,
    Demand,
    Quote,
    QuoteStatus,
)
from market.linking.schemas import AwardRequest, BuyerOrganizationCreate
from market.orders.models import Order
from market.organizations.models import Organization
from tests.helpers import INSTITUTION, api_token, at_once, count, database_state, emails, fresh
from tests.linking.test_awarded_orders import MANI_PRICE, MANI_QTY, PUUC_PRICE, PUUC_QTY
from tests.linking.test_awarded_orders import quoted as quoted  # the fixture: a closed demand, two quotes

TOTAL = MANI_QTY * MANI_PRICE + PUUC_QTY * PUUC_PRICE  # $122,000.00: one delivery


def person(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


@pytest.fixture
def team(client: TestClient, session: Session, make_user: Any, quoted: dict[str, Any]) -> dict[str, Any]:
    """The school of `quoted` (its buyer compras@escuela.mx an owner) with a second owner, the director, and a
    member who is not an owner, the assistant; and a hospital with a member of its own."""
    institution = session.get(BuyerOrganization, quoted["institution"]["id"])
    assert institution is not None
    director = make_user("direccion@escuela.mx", name="Rosa Díaz")
    assistant = make_user("auxiliar@escuela.mx", name="Pedro Gómez")
    for someone, role in ((director, "owner"), (assistant, "member")):
        session.add(
            BuyerMembership(user_id=someone.id or 0, buyer_organization_id=institution.id or 0, role=role)
        )
    hospital_buyer = make_user("compras@hospital.mx")
    buyers.create(session, hospital_buyer, BuyerOrganizationCreate(**INSTITUTION))
    session.commit()
    return quoted | {
        "director": api_token(client, "direccion@escuela.mx"),
        "assistant": api_token(client, "auxiliar@escuela.mx"),
        "hospital": api_token(client, "compras@hospital.mx"),
        "institution_id": institution.id,
    }


def set_threshold(client: TestClient, team: dict[str, Any], cents: int | None) -> Any:
    return client.patch(
        f"/api/v1/buyer-organizations/{team['institution_id']}",
        headers=team["school"],
        json={"approval_threshold_cents": cents},
    )


def award(client: TestClient, team: dict[str, Any], token: dict[str, str]) -> Any:
    return client.post(
        f"/api/v1/demands/{team['demand_id']}/award", headers=token, json={"allocations": team["allocations"]}
    )


def decide(
    client: TestClient, team: dict[str, Any], token: dict[str, str] | None, what: str, **body: Any
) -> Any:
    path = f"/api/v1/demands/{team['demand_id']}/award/{what}"
    return client.post(path, headers=token or {}, json=body if what == "reject" else None)


def producer_news(session: Session) -> list[dict[str, Any]]:
    return [e for e in emails(session) if e["kind"] == "award_decided"]


# --- the amount ------------------------------------------------------------------------------------


def test_only_the_owners_set_the_amount_and_a_bad_one_writes_nothing(
    app: FastAPI, client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    path = f"/api/v1/buyer-organizations/{team['institution_id']}"
    before = database_state(app.state.engine)
    assert (
        client.patch(path, headers=team["assistant"], json={"approval_threshold_cents": 1}).status_code == 403
    )
    assert (
        client.patch(path, headers=team["hospital"], json={"approval_threshold_cents": 1}).status_code == 404
    )
    assert client.patch(path, json={"approval_threshold_cents": 1}).status_code == 401
    for bad in (0, -100, "mucho", 10**14):
        refused = client.patch(path, headers=team["school"], json={"approval_threshold_cents": bad})
        assert refused.status_code == 422 and "approval_threshold_cents" in refused.json()["fields"]
    assert client.patch(path, headers=team["school"], json={"name": "Otra"}).status_code == 422
    assert database_state(app.state.engine) == before

    done = client.patch(path, headers=team["director"], json={"approval_threshold_cents": 5_000_000})
    assert done.status_code == 200 and done.json()["approval_threshold_cents"] == 5_000_000
    partida = client.patch(path, headers=team["school"], json={"partida_required": True})
    assert (partida.json()["partida_required"], partida.json()["approval_threshold_cents"]) == (
        True,
        5_000_000,
    )
    cleared = set_threshold(client, team, None).json()
    assert cleared["approval_threshold_cents"] is None and cleared["partida_required"] is True


# --- below and above -------------------------------------------------------------------------------


def test_an_award_within_the_amount_places_its_orders_at_once(
    client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    set_threshold(client, team, TOTAL)  # "above" the amount, not at it
    placed = award(client, team, team["school"])
    assert placed.status_code == 201, placed.text
    assert [order["total_cents"] for order in placed.json()] == [TOTAL]
    assert count(session, AwardApproval) == 0


def test_an_award_above_the_amount_waits_for_another_owner(
    client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    set_threshold(client, team, TOTAL - 1)
    before = len(emails(session))
    pending = award(client, team, team["school"])
    assert pending.status_code == 202, pending.text
    body = pending.json()
    assert (body["status"], body["total_cents"], body["decided_by"]) == ("pending", TOTAL, None)
    assert body["proposed_by"] == person(session, "compras@escuela.mx").id
    demand = fresh(session, Demand, team["demand_id"])
    assert demand.status == "open" and demand.purchase_order is None  # still awardable, once approved
    assert count(session, Order) == 0
    assert {q.status for q in session.exec(select(Quote)).all()} == {QuoteStatus.SUBMITTED}  # quotes stand
    news = emails(session)[before:]
    assert producer_news(session) == []  # no producer learns anything yet
    assert sorted((e["to"], e["kind"]) for e in news) == [
        ("direccion@escuela.mx", "award_approval_requested")
    ]
    # While it waits, nobody proposes another award of the demand.
    again = award(client, team, team["director"])
    assert again.status_code == 409 and "esperando aprobación" in again.json()["detail"]
    listed = client.get(f"/api/v1/demands/{team['demand_id']}/award/approvals", headers=team["assistant"])
    assert [a["status"] for a in listed.json()] == ["pending"]
    assert (
        client.get(
            f"/api/v1/demands/{team['demand_id']}/award/approvals", headers=team["producers"]["mani"][1]
        ).status_code
        == 403
    )

    # Nobody but another owner approves it, and a refusal writes nothing.
    state = database_state(client.app.state.engine)  # type: ignore[attr-defined]
    assert decide(client, team, team["school"], "approve").status_code == 403  # its proposer
    assert decide(client, team, team["assistant"], "approve").status_code == 403  # a member, not an owner
    assert decide(client, team, team["hospital"], "approve").status_code == 404  # another institution
    assert decide(client, team, team["producers"]["mani"][1], "approve").status_code == 403  # a producer
    assert decide(client, team, None, "approve").status_code == 401
    assert decide(client, team, team["assistant"], "reject", reason="No me parece").status_code == 403
    assert database_state(client.app.state.engine) == state  # type: ignore[attr-defined]

    approved = decide(client, team, team["director"], "approve")
    assert approved.status_code == 200, approved.text
    [order] = approved.json()
    assert order["total_cents"] == TOTAL and order["purchase_order"].startswith("OC-")
    demand = fresh(session, Demand, team["demand_id"])
    assert demand.status == "awarded" and demand.purchase_order == order["purchase_order"]
    approval = session.exec(select(AwardApproval)).one()
    assert approval.status == ApprovalStatus.APPROVED
    assert approval.decided_by == person(session, "direccion@escuela.mx").id
    assert sorted(e["to"] for e in producer_news(session)) == ["mani@example.mx", "puuc@example.mx"]
    [told] = [e for e in emails(session) if e["kind"] == "award_approval_decided"]
    assert told["to"] == "compras@escuela.mx" and "Rosa Díaz aprobó" in told["subject"]
    assert decide(client, team, team["director"], "approve").status_code == 409  # nothing pending any more


def test_a_rejected_award_leaves_the_demand_awardable_again(
    client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    set_threshold(client, team, 1_000_00)
    assert award(client, team, team["assistant"]).status_code == 202  # a member proposes; both owners told
    told = sorted(e["to"] for e in emails(session) if e["kind"] == "award_approval_requested")
    assert told == ["compras@escuela.mx", "direccion@escuela.mx"]
    for reason in (None, "", "  "):
        refused = decide(
            client, team, team["school"], "reject", **({"reason": reason} if reason is not None else {})
        )
        assert refused.status_code == 422
    rejected = decide(client, team, team["school"], "reject", reason="No hay suficiencia presupuestal")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["reason"] == "No hay suficiencia presupuestal"
    [news] = [e for e in emails(session) if e["kind"] == "award_approval_decided"]
    assert news["to"] == "auxiliar@escuela.mx" and "No hay suficiencia presupuestal" in news["body"]
    assert count(session, Order) == 0 and producer_news(session) == []
    assert decide(client, team, team["director"], "approve").status_code == 409

    # Proposed again, and approved by the owner who rejected it the first time.
    assert award(client, team, team["assistant"]).status_code == 202
    assert decide(client, team, team["school"], "approve").status_code == 200
    assert [a.status for a in session.exec(select(AwardApproval).order_by(col(AwardApproval.id))).all()] == [
        ApprovalStatus.REJECTED,
        ApprovalStatus.APPROVED,
    ]


def test_the_proposer_may_withdraw_but_an_only_owner_cannot_propose_above_the_amount(
    client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    set_threshold(client, team, 1)
    assert award(client, team, team["school"]).status_code == 202
    withdrawn = decide(client, team, team["school"], "reject", reason="Me equivoqué de cantidades")
    assert withdrawn.status_code == 200
    assert [e for e in emails(session) if e["kind"] == "award_approval_decided"] == []  # nobody else to tell

    session.exec(
        select(BuyerMembership).where(BuyerMembership.user_id == person(session, "direccion@escuela.mx").id)
    ).one().role = "member"
    session.commit()
    alone = award(client, team, team["school"])
    assert alone.status_code == 409 and "no hay otra persona" in alone.json()["detail"]
    assert count(session, AwardApproval, AwardApproval.status == ApprovalStatus.PENDING) == 0


# --- approval checks everything again, once ----------------------------------------------------------


def test_approval_checks_the_award_again_and_refuses_when_a_producer_no_longer_qualifies(
    client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    set_threshold(client, team, 1)
    assert award(client, team, team["school"]).status_code == 202
    mani = session.get(Organization, team["producers"]["mani"][0].id)
    assert mani is not None
    mani.suspended = True
    session.commit()
    refused = decide(client, team, team["director"], "approve")
    assert refused.status_code == 409 and "cambiaron" in refused.json()["detail"]
    assert count(session, Order) == 0
    assert session.exec(select(AwardApproval)).one().status == ApprovalStatus.PENDING  # still to reject


def test_the_award_service_itself_refuses_an_amount_that_needs_approval(
    session: Session, settings: Settings, team: dict[str, Any]
) -> None:
    institution = session.get(BuyerOrganization, team["institution_id"])
    assert institution is not None
    institution.approval_threshold_cents = 1
    session.commit()
    demand = session.get(Demand, team["demand_id"])
    assert demand is not None
    with pytest.raises(Conflict):
        awards.award(
            session,
            settings,
            person(session, "compras@escuela.mx"),
            demand,
            AwardRequest(allocations=team["allocations"]),
        )
    session.rollback()
    marta = person(session, "compras@escuela.mx")
    outcome = approvals.request_award(
        session, settings, marta, demand, AwardRequest(allocations=team["allocations"])
    )
    assert outcome.pending and outcome.orders == []
    session.commit()
    with pytest.raises(Forbidden):  # nor does its proposer approve it through the service
        approvals.approve(session, settings, marta, demand)


def test_two_owners_approving_at_once_approve_once(
    app: FastAPI,
    session: Session,
    settings: Settings,
    client: TestClient,
    make_user: Any,
    team: dict[str, Any],
) -> None:
    """Two sessions on the database (PostgreSQL in CI): the demand's row lock lets one through; the other
    then finds the demand awarded and is refused."""
    third = make_user("tesoreria@escuela.mx", name="Luisa Ortega")
    session.add(
        BuyerMembership(user_id=third.id or 0, buyer_organization_id=team["institution_id"], role="owner")
    )
    session.commit()
    set_threshold(client, team, 1)
    assert award(client, team, team["school"]).status_code == 202

    def approve(email: str) -> str:
        try:
            with transaction(app.state.engine) as tx:
                approver = tx.exec(select(User).where(User.email == email)).one()
                approvals.approve(tx, settings, approver, tx.get_one(Demand, team["demand_id"]))
            return "approved"
        except Conflict:
            return "conflict"

    approvers = iter(["direccion@escuela.mx", "tesoreria@escuela.mx"])
    outcomes = at_once(lambda: approve(next(approvers)))
    assert outcomes == ["approved", "conflict"]
    assert count(session, Order) == 1
    assert count(session, AwardApproval, AwardApproval.status == ApprovalStatus.APPROVED) == 1
    assert len([e for e in emails(session) if e["kind"] == "award_approval_decided"]) == 1
    assert fresh(session, Demand, team["demand_id"]).status == "awarded"


def test_cancelling_the_demand_ends_the_award_waiting_for_approval(
    client: TestClient, session: Session, team: dict[str, Any]
) -> None:
    set_threshold(client, team, 1)
    assert award(client, team, team["assistant"]).status_code == 202
    assert (
        client.post(f"/api/v1/demands/{team['demand_id']}/cancel", headers=team["assistant"]).status_code
        == 200
    )
    [ended] = client.get(
        f"/api/v1/demands/{team['demand_id']}/award/approvals", headers=team["school"]
    ).json()
    assert (ended["status"], ended["reason"]) == ("rejected", "La demanda se canceló.")
    assert decide(client, team, team["director"], "approve").status_code == 409
    assert count(session, Order) == 0


def test_two_members_proposing_at_once_leave_one_award_waiting(
    app: FastAPI, session: Session, settings: Settings, client: TestClient, team: dict[str, Any]
) -> None:
    set_threshold(client, team, 1)

    def propose(email: str) -> str:
        try:
            with transaction(app.state.engine) as tx:
                member = tx.exec(select(User).where(User.email == email)).one()
                demand = tx.get_one(Demand, team["demand_id"])
                approvals.request_award(
                    tx, settings, member, demand, AwardRequest(allocations=team["allocations"])
                )
            return "pending"
        except Conflict:
            return "conflict"

    members = iter(["auxiliar@escuela.mx", "direccion@escuela.mx"])
    assert at_once(lambda: propose(next(members))) == ["conflict", "pending"]
    assert count(session, AwardApproval) == 1
