"""Productive linking through its services: eligibility and ranking, who sees what, the allocation, the
award and its orders, deadlines, recurring call-offs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from market.config import Settings
from market.db import transaction, utcnow
from market.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from market.ledger import service as ledger
from market.linking import awards, buyers, demands, matching
from market.linking.models import Award, BuyerOrganization, CallOff, Demand, DemandInvitation, Quote
from market.linking.schemas import AwardRequest, BuyerOrganizationCreate, DemandCreate, QuoteCreate
from market.mail.delivery import deliver_due
from market.mexico import MEXICO_CITY
from market.orders.fulfillment import confirm_offline_payment
from market.orders.models import Fulfillment, Order, OrderLine
from market.organizations.models import VerificationStatus
from market.outbox import OutboxEvent
from tests.fixtures.smtp import SmtpServer
from tests.helpers import INSTITUTION, emails, run_search_worker


def demand_data(**overrides: Any) -> DemandCreate:
    fields: dict[str, Any] = {
        "title": "Café tostado para la cafetería",
        "category": "cafe",
        "quantity": 1000,
        "unit": "kg",
        "delivery_state": "20",
        "delivery_municipality": "Oaxaca de Juárez",
        "delivery_address": "Av. Reforma 100, Centro",
        "first_delivery": date.today() + timedelta(days=20),
        "quote_deadline": utcnow() + timedelta(days=7),
    }
    return DemandCreate(**(fields | overrides))


@pytest.fixture
def world(app: FastAPI, session: Session, make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    """An institution in Oaxaca and four coffee producers: near and women-led and certified, far, unverified,
    and one selling honey only."""
    buyer_user = make_user("compras@hospital.mx", name="Compras Hospital")
    institution = buyers.create(session, buyer_user, BuyerOrganizationCreate(**INSTITUTION))
    institution.verification_status = VerificationStatus.VERIFIED
    session.commit()
    near = make_org(
        make_user("oaxaca@cafe.mx"),
        name="Cooperativa Café de la Sierra Mixe",
        state="20",
        municipality="Tlahuitoltepec",
        latitude=17.1,
        longitude=-96.0,
        certifications=["spp"],
        members_count=80,
        women_members_count=50,
    )
    far = make_org(
        make_user("chiapas@cafe.mx"),
        name="Unión de Productores de Café de Chiapas",
        legal_form="spr",
        state="07",
        latitude=16.75,
        longitude=-93.1,
        members_count=200,
        women_members_count=40,
    )
    pending = make_org(make_user("nueva@cafe.mx"), name="Cooperativa Nueva", status="pending")
    honey = make_org(make_user("miel@example.mx"), name="Meliponicultoras de Maní", state="31")
    make_listing(near, delivery_states=["20"])
    make_listing(far, national_shipping=True)
    make_listing(pending, national_shipping=True)
    make_listing(honey, title="Miel melipona", category="miel", national_shipping=True)
    run_search_worker(app)
    return {
        "buyer": buyer_user,
        "institution": institution,
        "near": near,
        "far": far,
        "honey": honey,
        "owners": {
            "near": _owner(session, near),
            "far": _owner(session, far),
        },
    }


def _owner(session: Session, organization: Any) -> Any:
    from market.accounts.models import User
    from market.organizations.models import Membership

    return session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.organization_id == organization.id)
    ).first()


def opened(session: Session, world: dict[str, Any], **overrides: Any) -> Demand:
    demand = demands.create(session, world["buyer"], world["institution"], demand_data(**overrides))
    demands.open_for_quotes(session, world["buyer"], demand)
    session.commit()
    return demand


def quote(
    session: Session, world: dict[str, Any], demand: Demand, who: str, price: int, quantity: int
) -> Quote:
    made = demands.submit_quote(
        session,
        world["owners"][who],
        demand,
        world[who],
        QuoteCreate(unit_price_cents=price, quantity=quantity),
    )
    session.commit()
    return made


def past_deadline(session: Session, demand: Demand) -> None:
    demand.quote_deadline = utcnow() - timedelta(minutes=1)
    session.add(demand)
    session.commit()


# --- matching -------------------------------------------------------------------------------------


def test_eligible_producers_offer_the_category_to_the_state_and_rank_by_fit(
    app: FastAPI, session: Session, world: dict[str, Any]
) -> None:
    demand = opened(session, world)
    found = matching.eligible(session, app.state.search, demand)
    # The unverified producer and the honey one are out; the near, women-led producer comes first.
    assert [m.organization.name for m in found] == [world["near"].name, world["far"].name]
    assert found[0].fit > found[1].fit and "women_led" in found[0].reasons
    assert found[0].distance_km is not None and found[0].distance_km < 100  # Sierra Mixe to Oaxaca city


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({"required_certifications": ["spp"]}, ["near"]),
        ({"max_distance_km": 100}, ["near"]),
        ({"women_led_only": True}, ["near"]),
        (
            {"preferred_legal_forms": ["spr"]},
            ["near", "far"],
        ),  # a preference ranks, never excludes
        ({"delivery_state": "31"}, ["far"]),  # only the national shipper reaches Yucatán
    ],
)
def test_the_buyers_conditions_narrow_who_is_eligible(
    app: FastAPI, session: Session, world: dict[str, Any], conditions: dict[str, Any], expected: list[str]
) -> None:
    demand = opened(session, world, **conditions)
    names = [m.organization.name for m in matching.eligible(session, app.state.search, demand)]
    assert names == [world[key].name for key in expected]


def test_opening_a_demand_notifies_those_who_fit_through_the_worker(
    app: FastAPI, session: Session, world: dict[str, Any]
) -> None:
    demand = opened(session, world)
    event = session.exec(select(OutboxEvent).where(OutboxEvent.topic == demands.MATCH_TOPIC)).one()
    with transaction(app.state.engine) as tx:
        matching.match_demand(tx, app.state.search, event.payload["demand_id"])
    session.expire_all()
    fits = dict(session.exec(select(DemandInvitation.organization_id, DemandInvitation.fit)).all())
    assert set(fits) == {world["near"].id, world["far"].id}
    invited = [e for e in emails(session) if e["kind"] == "demand_for_you"]
    assert sorted(e["to"] for e in invited) == ["chiapas@cafe.mx", "oaxaca@cafe.mx"]
    assert {e["link"] for e in invited} == {f"/demandas/{demand.id}"}
    ranked = demands.for_producer(session, world["near"])
    assert [(d.id, fit) for d, fit in ranked] == [(demand.id, fits[world["near"].id])]


def test_a_producer_hears_of_a_demand_over_smtp_in_its_language(
    app: FastAPI,
    session: Session,
    world: dict[str, Any],
    engine: Engine,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
) -> None:
    world["owners"]["far"].locale = "en"
    demand = opened(session, world)
    with transaction(app.state.engine) as tx:
        matching.match_demand(tx, app.state.search, demand.id or 0)

    deliver_due(engine, smtp_settings)

    link, hospital = f"{smtp_settings.base_url}/demandas/{demand.id}", "Hospital Civil de Oaxaca"
    deadline = demand.quote_deadline.astimezone(MEXICO_CITY)
    [spanish] = smtp_server.to("oaxaca@cafe.mx")
    assert spanish.recipients == ["oaxaca@cafe.mx"]
    assert spanish.message["Subject"] == f"Demanda «{demand.title}»: {hospital} busca quien la surta"
    for part in (spanish.text, spanish.html):
        assert f"{hospital} busca 1,000 kg y Cooperativa Café de la Sierra Mixe puede cotizar hasta" in part
        assert f"{deadline.day} de " in part and deadline.strftime("%H:%M") in part and link in part
    [english] = smtp_server.to("chiapas@cafe.mx")
    assert english.message["Subject"] == f"Demand “{demand.title}”: {hospital} is looking for a supplier"
    assert english.text.startswith("Hi ") and 'lang="en"' in english.html
    for part in (english.text, english.html):
        assert f"{hospital} is looking for 1,000 kg and Unión de Productores de Café de Chiapas" in part
        assert deadline.strftime("%B") in part and link in part


# --- who sees what ---------------------------------------------------------------------------------


def test_a_producer_never_sees_a_competitors_quote(session: Session, world: dict[str, Any]) -> None:
    demand = opened(session, world)
    quote(session, world, demand, "near", 30000, 400)
    quote(session, world, demand, "far", 28000, 700)
    seen_by_near = demands.quotes_for(session, world["owners"]["near"], demand)
    assert [org.name for _q, org in seen_by_near] == [world["near"].name]
    seen_by_buyer = demands.quotes_for(session, world["buyer"], demand)
    assert [org.name for _q, org in seen_by_buyer] == [world["far"].name, world["near"].name]


def test_an_invited_only_demand_is_invisible_to_everyone_else(
    session: Session, world: dict[str, Any], make_user: Any
) -> None:
    demand = opened(session, world, visibility="invited", invited_organization_ids=[world["near"].id])
    assert demands.visible(session, world["owners"]["near"], demand.id or 0) == demand
    other_buyer = make_user("compras@otra-escuela.mx")
    buyers.create(session, other_buyer, BuyerOrganizationCreate(**(INSTITUTION | {"name": "Otra escuela"})))
    session.commit()
    for outsider in (world["owners"]["far"], other_buyer):  # a producer not invited, another institution
        with pytest.raises(NotFound):
            demands.visible(session, outsider, demand.id or 0)
    with pytest.raises(Forbidden):
        quote(session, world, demand, "far", 28000, 100)
    assert demand not in demands.open_public(session, world["owners"]["far"])


def test_a_draft_is_seen_by_its_institution_only(session: Session, world: dict[str, Any]) -> None:
    demand = demands.create(session, world["buyer"], world["institution"], demand_data())
    session.commit()
    assert demands.visible(session, world["buyer"], demand.id or 0) == demand
    with pytest.raises(NotFound):
        demands.visible(session, world["owners"]["near"], demand.id or 0)


# --- quotes and deadlines --------------------------------------------------------------------------


def test_quotes_are_revised_and_stop_at_the_deadline(session: Session, world: dict[str, Any]) -> None:
    demand = opened(session, world, max_unit_price_cents=35000)
    first = quote(session, world, demand, "near", 30000, 400)
    revised = quote(session, world, demand, "near", 29000, 500)
    assert revised.id == first.id and (revised.unit_price_cents, revised.quantity) == (29000, 500)
    with pytest.raises(ValidationFailed) as refused:
        quote(session, world, demand, "far", 36000, 1200)
    assert set(refused.value.errors) == {"unit_price_cents", "quantity"}
    session.rollback()
    withdrawn = demands.withdraw_quote(session, world["owners"]["near"], first.id or 0)
    assert withdrawn.status == "withdrawn" and awards.standing_quotes(session, demand) == []
    with pytest.raises(InvalidTransition):  # withdrawn already
        demands.withdraw_quote(session, world["owners"]["near"], first.id or 0)
    quote(session, world, demand, "near", 29500, 500)  # and sent again, revised
    past_deadline(session, demand)
    with pytest.raises(Conflict):
        quote(session, world, demand, "far", 28000, 100)
    session.rollback()
    with pytest.raises(Conflict):  # too late to take it back, too
        demands.withdraw_quote(session, world["owners"]["near"], first.id or 0)
    session.rollback()
    assert demands.close_due(session) == 1
    assert session.get(Demand, demand.id).status == "closed"  # type: ignore[union-attr]


def test_a_deadline_must_be_ahead(session: Session, world: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        demands.create(
            session,
            world["buyer"],
            world["institution"],
            demand_data(quote_deadline=utcnow() - timedelta(hours=1), first_delivery=date.today()),
        )
    assert set(refused.value.errors) == {"quote_deadline"}
    session.rollback()
    assert session.exec(select(func.count()).select_from(Demand)).one() == 0


# --- allocation and award --------------------------------------------------------------------------


def test_the_proposal_is_the_cheapest_cover(
    session: Session, world: dict[str, Any], make_org: Any, make_user: Any
) -> None:
    demand = opened(session, world)
    quote(session, world, demand, "near", 30000, 600)
    quote(session, world, demand, "far", 28000, 700)
    proposal = awards.propose(session, demand)
    assert [(org.name, q) for _quote, org, q in proposal.allocations] == [
        (world["far"].name, 700),
        (world["near"].name, 300),
    ]
    assert proposal.missing == 0 and proposal.total_cents == 700 * 28000 + 300 * 30000


def test_a_quantity_the_quotes_cannot_cover_is_reported(session: Session, world: dict[str, Any]) -> None:
    demand = opened(session, world)
    quote(session, world, demand, "near", 30000, 250)
    proposal = awards.propose(session, demand)
    assert [q for _quote, _org, q in proposal.allocations] == [250]
    assert proposal.missing == 750


def test_the_award_places_one_order_with_a_fulfillment_per_producer_at_quoted_prices(
    app: FastAPI, session: Session, settings: Settings, world: dict[str, Any], make_user: Any
) -> None:
    demand = opened(session, world)
    near = quote(session, world, demand, "near", 30000, 600)
    far = quote(session, world, demand, "far", 28000, 700)
    with pytest.raises(Conflict):  # quotes may still come
        awards.award(
            session,
            settings,
            world["buyer"],
            demand,
            AwardRequest(allocations=[{"quote_id": far.id, "quantity": 1000}]),
        )
    session.rollback()
    past_deadline(session, demand)

    bad = [
        [{"quote_id": far.id, "quantity": 800}, {"quote_id": near.id, "quantity": 200}],  # over far's 700
        [{"quote_id": far.id, "quantity": 700}, {"quote_id": near.id, "quantity": 200}],  # 900 of 1000
        [{"quote_id": 9999, "quantity": 1000}],
    ]
    for allocations in bad:
        with pytest.raises(ValidationFailed):
            awards.award(session, settings, world["buyer"], demand, AwardRequest(allocations=allocations))
        session.rollback()
    assert session.exec(select(func.count()).select_from(Award)).one() == 0
    assert session.exec(select(func.count()).select_from(Order)).one() == 0

    request = AwardRequest(
        allocations=[{"quote_id": far.id, "quantity": 700}, {"quote_id": near.id, "quantity": 300}]
    )
    [order] = awards.award(session, settings, world["buyer"], demand, request)
    session.commit()
    assert demand.status == "awarded" and demand.purchase_order == f"OC-{utcnow().year}-{demand.id:05d}"
    assert order.purchase_order == demand.purchase_order and order.demand_id == demand.id
    assert order.status == "invoiced"  # a verified institution pays at 30 days
    parts = session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).all()
    lines = {
        f.organization_id: session.exec(select(OrderLine).where(OrderLine.fulfillment_id == f.id)).one()
        for f in parts
    }
    assert {k: (v.quantity, v.unit_price_cents, v.listing_id) for k, v in lines.items()} == {
        world["far"].id: (700, 28000, None),
        world["near"].id: (300, 30000, None),
    }
    assert order.total_cents == 700 * 28000 + 300 * 30000
    assert ledger.balance(session, world["far"].id) == 700 * 28000 * 92 // 100
    assert {q.status for q in session.exec(select(Quote)).all()} == {"awarded"}

    admin = make_user("admin@example.mx", is_admin=True)
    confirm_offline_payment(session, admin, order.id or 0, "SPEI 4455")
    session.commit()
    assert ledger.receivable_of(session, order.id or 0) == 0 and ledger.imbalance(session) == 0


def test_a_recurring_demand_places_each_delivery_when_it_falls_due(
    session: Session, settings: Settings, world: dict[str, Any]
) -> None:
    demand = opened(
        session, world, every_days=7, deliveries=3, first_delivery=date.today() + timedelta(days=10)
    )
    near = quote(session, world, demand, "near", 30000, 1000)
    past_deadline(session, demand)
    placed = awards.award(
        session,
        settings,
        world["buyer"],
        demand,
        AwardRequest(allocations=[{"quote_id": near.id, "quantity": 1000}]),
    )
    session.commit()
    assert [o.purchase_order for o in placed] == [f"{demand.purchase_order}-1"]
    dues = [c.due for c in session.exec(select(CallOff).order_by(col(CallOff.sequence))).all()]
    assert dues == [demand.first_delivery + timedelta(days=7 * n) for n in range(3)]
    assert awards.place_due_call_offs(session, settings, today=dues[1] - timedelta(days=8)) == []
    [second] = awards.place_due_call_offs(session, settings, today=dues[1] - timedelta(days=7))
    session.commit()
    assert second.purchase_order == f"{demand.purchase_order}-2"
    assert session.exec(select(func.count()).select_from(Order)).one() == 2


def test_only_the_institutions_members_award(
    session: Session, settings: Settings, world: dict[str, Any]
) -> None:
    demand = opened(session, world)
    near = quote(session, world, demand, "near", 30000, 1000)
    past_deadline(session, demand)
    with pytest.raises(Forbidden):
        awards.award(
            session,
            settings,
            world["owners"]["near"],
            demand,
            AwardRequest(allocations=[{"quote_id": near.id, "quantity": 1000}]),
        )


def test_an_unverified_institution_cannot_publish_and_one_no_longer_verified_pays_by_transfer(
    session: Session, settings: Settings, world: dict[str, Any]
) -> None:
    institution: BuyerOrganization = world["institution"]
    institution.verification_status = VerificationStatus.PENDING
    session.add(institution)
    session.commit()
    draft = demands.create(session, world["buyer"], institution, demand_data())
    with pytest.raises(Conflict):
        demands.open_for_quotes(session, world["buyer"], draft)
    session.rollback()

    institution.verification_status = VerificationStatus.VERIFIED
    session.add(institution)
    session.commit()
    demand = opened(session, world)
    near = quote(session, world, demand, "near", 30000, 1000)
    past_deadline(session, demand)
    institution.verification_status = VerificationStatus.REJECTED  # its verification was withdrawn since
    session.add(institution)
    session.commit()
    [order] = awards.award(
        session,
        settings,
        world["buyer"],
        demand,
        AwardRequest(allocations=[{"quote_id": near.id, "quantity": 1000}]),
    )
    assert (order.payment_method, order.status) == ("spei_transfer", "awaiting_payment")
