"""Every administrative action writes exactly one audit entry (who, what, on what, why) in the same
transaction as the change, through the HTML or the JSON route; a refused action writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.catalog import service as catalog
from market.catalog.models import Listing
from market.config import Settings
from market.db import transaction
from market.linking import buyers
from market.linking.models import BuyerOrganization
from market.linking.schemas import BuyerOrganizationCreate
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.models import Fulfillment, Order
from market.orders.schemas import Checkout
from market.organizations import service as organizations
from market.organizations.models import Organization, OrganizationChange
from market.organizations.schemas import OrganizationUpdate
from market.payments.models import Refund
from tests.admin.conftest import REASON, World, audit_entries, last_audit_id
from tests.helpers import INSTITUTION, api_token, csrf_of, log_in, signed_in
from tests.pages import flash, flashes

LIFTED = "Subió fotos propias y lo comprobamos"


@dataclass
class Expected:
    action: str
    target_type: str
    target_id: int | None
    target_label: str
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # at least these


@dataclass
class Desk:
    """An administrator signed in on the pages and holding an API token, in a small market."""

    world: World
    client: TestClient
    api: dict[str, str]
    session: Session
    engine: Engine
    settings: Settings
    make_user: Any
    make_org: Any

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> Any:
        form = {"csrf_token": csrf_of(self.client, "/admin")} | (data or {})
        response = self.client.post(path, data=form, **kwargs)
        assert response.status_code == 303, response.text
        return response

    def api_post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.client.post(path, json=body, headers=self.api)
        assert response.status_code == 200, response.text
        return response

    def order(self, quantity: int, method: str = "spei_transfer") -> Order:
        with transaction(self.engine) as tx:
            return checkout(
                tx,
                self.settings,
                self.world.buyer,
                Checkout(
                    items=[{"listing_id": self.world.coffee.id, "quantity": quantity}], payment_method=method
                ),
            )

    def paid_order(self, quantity: int) -> Order:
        order = self.order(quantity)
        with transaction(self.engine) as tx:
            confirm_offline_payment(tx, self.world.admin, order.id or 0, "BNET0001")
        return order

    def move(self, order: Order, *steps: tuple[str, Any]) -> None:
        with transaction(self.engine) as tx:
            part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
            for step, actor in steps:
                move(tx, actor, part.id or 0, step)

    def institution(self) -> BuyerOrganization:
        with transaction(self.engine) as tx:
            buyer = buyers.create(tx, self.world.buyer, BuyerOrganizationCreate(**INSTITUTION))
        return buyer


@pytest.fixture
def desk(
    client: TestClient,
    session: Session,
    engine: Engine,
    settings: Settings,
    world: World,
    make_user: Any,
    make_org: Any,
) -> Desk:
    log_in(client, world.admin.email)
    return Desk(
        world, client, api_token(client, world.admin.email), session, engine, settings, make_user, make_org
    )


Act = Callable[[], None]
Case = Callable[[Desk], tuple[Act, Expected]]


def verify_organization(d: Desk) -> tuple[Act, Expected]:
    pending = d.make_org(d.make_user("ejido@example.mx"), status="pending", name="Ejido La Ventana")
    return (
        lambda: d.post(f"/admin/organizaciones/{pending.slug}/verificar"),
        Expected("organization.verify", "organization", pending.id, "Ejido La Ventana"),
    )


def reject_organization(d: Desk) -> tuple[Act, Expected]:
    pending = d.make_org(d.make_user("ejido@example.mx"), status="pending", name="Ejido La Ventana")
    return (
        lambda: d.api_post(f"/api/v1/organizations/{pending.slug}/reject", {"reason": "Falta el acta"}),
        Expected("organization.reject", "organization", pending.id, "Ejido La Ventana", "Falta el acta"),
    )


def suspend_organization(d: Desk) -> tuple[Act, Expected]:
    org = d.world.org
    return (
        lambda: d.post(f"/admin/organizaciones/{org.slug}/suspender", {"reason": REASON}),
        Expected("organization.suspend", "organization", org.id, org.name, REASON),
    )


def reinstate_organization(d: Desk) -> tuple[Act, Expected]:
    org = d.world.org
    with transaction(d.engine) as tx:
        organizations.suspend(tx, d.world.admin, tx.get_one(Organization, org.id), REASON)
    return (
        lambda: d.post(f"/admin/organizaciones/{org.slug}/reactivar", {"reason": LIFTED}),
        Expected("organization.reinstate", "organization", org.id, org.name, LIFTED),
    )


def _payout_change(d: Desk) -> int:
    """The owner asks to be paid to another CLABE; it waits for an administrator."""
    with transaction(d.engine) as tx:
        org = tx.get_one(Organization, d.world.org.id)
        organizations.update(tx, d.world.owner, org, OrganizationUpdate(clabe="012180001234567899"))
    return d.session.exec(select(OrganizationChange.id)).one() or 0


def approve_payout_change(d: Desk) -> tuple[Act, Expected]:
    change_id, org = _payout_change(d), d.world.org
    return (
        lambda: d.post(f"/admin/cambios/{change_id}/aprobar"),
        Expected(
            "organization.change_approve", "organization", org.id, org.name, details={"change_id": change_id}
        ),
    )


def reject_payout_change(d: Desk) -> tuple[Act, Expected]:
    change_id, org = _payout_change(d), d.world.org
    why = "La CLABE es de otra persona"
    return (
        lambda: d.api_post(f"/api/v1/organizations/changes/{change_id}/reject", {"reason": why}),
        Expected(
            "organization.change_reject", "organization", org.id, org.name, why, {"change_id": change_id}
        ),
    )


def verify_institution(d: Desk) -> tuple[Act, Expected]:
    buyer = d.institution()
    return (
        lambda: d.post(f"/admin/instituciones/{buyer.id}/verificar"),
        Expected("buyer_organization.verify", "buyer_organization", buyer.id, INSTITUTION["name"]),
    )


def reject_institution(d: Desk) -> tuple[Act, Expected]:
    buyer = d.institution()
    why = "El RFC no coincide con la constancia"
    return (
        lambda: d.api_post(
            f"/api/v1/buyer-organizations/{buyer.id}/decision", {"verified": False, "reason": why}
        ),
        Expected("buyer_organization.reject", "buyer_organization", buyer.id, INSTITUTION["name"], why),
    )


def confirm_payment(d: Desk) -> tuple[Act, Expected]:
    order = d.order(3)  # $300.00 by SPEI
    return (
        lambda: d.post(f"/admin/pagos/{order.id}", {"reference": "BNET01002503030001"}),
        Expected(
            "order.payment_confirmed",
            "order",
            order.id,
            f"TS{order.id:08d}",
            details={"amount_cents": 30000, "reference": "BNET01002503030001"},
        ),
    )


def match_deposit(d: Desk) -> tuple[Act, Expected]:
    order = d.order(2)
    statement = f"Fecha,Concepto,Abono,Clave de rastreo\n2025-03-04,SPEI TS{order.id:08d},200.00,MBAN77\n"

    def upload() -> None:
        response = d.client.post(
            "/admin/pagos/estado-de-cuenta",
            data={"csrf_token": csrf_of(d.client, "/admin/pagos")},
            files={"archivo": ("estado.csv", statement.encode(), "text/csv")},
        )
        assert response.status_code == 200 and "Pagado: 1" in flash(response)

    return upload, Expected(
        "statement.deposit_matched",
        "order",
        order.id,
        f"TS{order.id:08d}",
        details={"amount_cents": 20000, "reference": "MBAN77"},
    )


def send_payout(d: Desk) -> tuple[Act, Expected]:
    order = d.paid_order(3)
    owner, buyer = d.world.owner, d.world.buyer
    d.move(
        order,
        ("accepted", owner),
        ("preparing", owner),
        ("ready_for_pickup", owner),
        ("delivered", buyer),
        ("completed", buyer),
    )
    org = d.world.org
    return (
        lambda: d.post(f"/admin/pagos-a-productores/{org.id}", {"amount": "100.50", "reference": "MBAN0042"}),
        Expected(
            "payout.send",
            "organization",
            org.id,
            org.name,
            details={"amount_cents": 10050, "reference": "MBAN0042"},
        ),
    )


def mark_refund_sent(d: Desk) -> tuple[Act, Expected]:
    order = d.paid_order(2)
    d.move(order, ("rejected", d.world.owner))  # $200.00 goes back by SPEI
    refund = d.session.exec(select(Refund)).one()
    return (
        lambda: d.post(f"/admin/reembolsos/{refund.id}", {"reference": "MBAN0100250310"}),
        Expected(
            "refund.mark_sent",
            "order",
            order.id,
            f"TS{order.id:08d}",
            details={"amount_cents": 20000, "reference": "MBAN0100250310", "refund_id": refund.id},
        ),
    )


def suspend_listing(d: Desk) -> tuple[Act, Expected]:
    coffee = d.world.coffee
    return (
        lambda: d.api_post(f"/api/v1/admin/listings/{coffee.id}/suspend", {"reason": REASON}),
        Expected("listing.suspend", "listing", coffee.id, coffee.title, REASON),
    )


def restore_listing(d: Desk) -> tuple[Act, Expected]:
    coffee = d.world.coffee
    with transaction(d.engine) as tx:
        catalog.suspend(tx, d.world.admin, tx.get_one(Listing, coffee.id), REASON)
    return (
        lambda: d.post(
            f"/admin/productos/{coffee.id}/restablecer", {"next": "/admin/moderacion", "reason": LIFTED}
        ),
        Expected("listing.restore", "listing", coffee.id, coffee.title, LIFTED),
    )


def reinstate_organization_api(d: Desk) -> tuple[Act, Expected]:
    org = d.world.org
    with transaction(d.engine) as tx:
        organizations.suspend(tx, d.world.admin, tx.get_one(Organization, org.id), REASON)
    return (
        lambda: d.api_post(f"/api/v1/organizations/{org.slug}/reinstate", {"reason": LIFTED}),
        Expected("organization.reinstate", "organization", org.id, org.name, LIFTED),
    )


def restore_listing_api(d: Desk) -> tuple[Act, Expected]:
    coffee = d.world.coffee
    with transaction(d.engine) as tx:
        catalog.suspend(tx, d.world.admin, tx.get_one(Listing, coffee.id), REASON)
    return (
        lambda: d.api_post(f"/api/v1/admin/listings/{coffee.id}/restore", {"reason": LIFTED}),
        Expected("listing.restore", "listing", coffee.id, coffee.title, LIFTED),
    )


CASES: list[Case] = [
    verify_organization,
    reject_organization,
    suspend_organization,
    reinstate_organization,
    reinstate_organization_api,
    approve_payout_change,
    reject_payout_change,
    verify_institution,
    reject_institution,
    confirm_payment,
    match_deposit,
    send_payout,
    mark_refund_sent,
    suspend_listing,
    restore_listing,
    restore_listing_api,
]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_an_administrative_action_writes_one_audit_entry(desk: Desk, case: Case) -> None:
    act, expected = case(desk)
    before = last_audit_id(desk.session)

    act()

    written = audit_entries(desk.session, before)
    assert len(written) == 1
    entry = written[0]
    assert entry.actor_id == desk.world.admin.id
    assert (entry.action, entry.target_type, entry.target_id, entry.target_label, entry.reason) == (
        expected.action,
        expected.target_type,
        expected.target_id,
        expected.target_label,
        expected.reason,
    )
    assert entry.details.items() >= expected.details.items()


def test_the_entry_is_written_with_the_change_or_not_at_all(desk: Desk) -> None:
    """A listing suspended by the service but rolled back leaves neither the suspension nor its entry."""
    before = last_audit_id(desk.session)
    with pytest.raises(RuntimeError), transaction(desk.engine) as tx:
        catalog.suspend(tx, desk.world.admin, tx.get_one(Listing, desk.world.coffee.id), REASON)
        raise RuntimeError("the request failed after the service ran")
    assert audit_entries(desk.session, before) == []
    desk.session.expire_all()
    assert desk.session.get_one(Listing, desk.world.coffee.id).suspended is False


# --- refused actions -----------------------------------------------------------------------------


def _as_owner(d: Desk) -> dict[str, str]:
    return api_token(d.client, d.world.owner.email)


REFUSED: dict[str, Callable[[Desk], Any]] = {
    "listing-without-reason-page": lambda d: d.client.post(
        f"/admin/productos/{d.world.coffee.id}/suspender",
        data={"reason": "  ", "csrf_token": csrf_of(d.client, "/admin")},
    ),
    "listing-without-reason-api": lambda d: d.client.post(
        f"/api/v1/admin/listings/{d.world.coffee.id}/suspend", json={}, headers=d.api
    ),
    "listing-reason-too-long": lambda d: d.client.post(
        f"/api/v1/admin/listings/{d.world.coffee.id}/suspend", json={"reason": "x" * 1001}, headers=d.api
    ),
    "organization-without-reason": lambda d: d.client.post(
        f"/admin/organizaciones/{d.world.org.slug}/suspender",
        data={"reason": "", "csrf_token": csrf_of(d.client, "/admin")},
    ),
    "restore-a-listing-not-suspended": lambda d: d.client.post(
        f"/api/v1/admin/listings/{d.world.coffee.id}/restore", headers=d.api
    ),
    "listing-by-a-producer": lambda d: d.client.post(
        f"/api/v1/admin/listings/{d.world.coffee.id}/suspend", json={"reason": REASON}, headers=_as_owner(d)
    ),
    "institution-rejected-without-reason": lambda d: d.client.post(
        f"/api/v1/buyer-organizations/{d.institution().id}/decision", json={"verified": False}, headers=d.api
    ),
    "payment-without-reference": lambda d: d.client.post(
        f"/admin/pagos/{d.order(1).id}", data={"reference": "ab", "csrf_token": csrf_of(d.client, "/admin")}
    ),
}
STATUS = {
    "listing-without-reason-page": 303,  # back to the page, with the message
    "listing-without-reason-api": 422,
    "listing-reason-too-long": 422,
    "organization-without-reason": 303,
    "restore-a-listing-not-suspended": 409,
    "listing-by-a-producer": 403,
    "institution-rejected-without-reason": 422,
    "payment-without-reference": 303,
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_refused_action_writes_nothing(desk: Desk, name: str) -> None:
    before = last_audit_id(desk.session)

    response = REFUSED[name](desk)

    assert response.status_code == STATUS[name], response.text
    assert audit_entries(desk.session, before) == []
    desk.session.expire_all()
    assert desk.session.get_one(Listing, desk.world.coffee.id).suspended is False
    assert desk.session.get_one(Organization, desk.world.org.id).suspended is False


def test_a_producer_on_the_pages_is_refused_and_nothing_is_written(app: FastAPI, desk: Desk) -> None:
    producer = signed_in(app, desk.world.owner.email)
    before = last_audit_id(desk.session)
    response = producer.post(
        f"/admin/productos/{desk.world.coffee.id}/suspender",
        data={"reason": REASON, "csrf_token": csrf_of(producer, "/panel")},
    )
    assert response.status_code == 403
    assert audit_entries(desk.session, before) == []


@pytest.mark.parametrize("face", ["page", "api"])
def test_lifting_a_suspension_without_a_reason_is_refused_and_writes_nothing(desk: Desk, face: str) -> None:
    org, coffee = desk.world.org, desk.world.coffee
    with transaction(desk.engine) as tx:
        organizations.suspend(tx, desk.world.admin, tx.get_one(Organization, org.id), REASON)
        catalog.suspend(tx, desk.world.admin, tx.get_one(Listing, coffee.id), REASON)
    before = last_audit_id(desk.session)

    if face == "page":
        pages = (f"/admin/organizaciones/{org.slug}/reactivar", f"/admin/productos/{coffee.id}/restablecer")
        for path in pages:
            response = desk.post(path, {"reason": "  ", "next": "/admin/moderacion"})
            assert response.headers["location"] == "/admin/moderacion"
        page = desk.client.get("/admin/moderacion")
        assert "Explica por qué levantas la suspensión." in flashes(page, "error")
    else:
        api = (f"/api/v1/organizations/{org.slug}/reinstate", f"/api/v1/admin/listings/{coffee.id}/restore")
        for path in api:
            response = desk.client.post(path, json={}, headers=desk.api)
            assert response.status_code == 422
            assert response.json()["fields"]["reason"] == "Explica por qué levantas la suspensión."

    assert audit_entries(desk.session, before) == []
    desk.session.expire_all()
    assert desk.session.get_one(Listing, coffee.id).suspended is True
    assert desk.session.get_one(Organization, org.id).suspended is True
