"""Who may review and reply, once each; the messages of a refused review; the e-mail and search refresh a
review causes; the averages."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.db import transaction, utcnow
from market.errors import Conflict, Forbidden, MarketError, NotFound, ValidationFailed
from market.linking.models import BuyerMembership, BuyerOrganization, Demand, DemandStatus
from market.orders.fulfillment import move
from market.orders.models import Order
from market.organizations.models import Membership
from market.outbox import SEARCH_TOPIC, OutboxEvent
from market.reviews import queries, service
from market.reviews.models import Review
from market.reviews.ratings import average, listing_ratings
from market.reviews.schemas import RatingSummary
from tests.helpers import emails
from tests.reviews.conftest import Buy


def reviews_in(session: Session) -> list[Review]:
    session.expire_all()
    return list(session.exec(select(Review)).all())


def test_only_the_buyer_reviews_and_only_a_completed_part(
    engine: Engine, session: Session, shop: dict[str, Any], buy: Buy, make_user: Any
) -> None:
    stranger = make_user("curioso@example.mx")
    part = buy([shop["coffee"]], until="delivered")
    with pytest.raises(Conflict) as early, transaction(engine) as tx:
        service.create(tx, shop["buyer"], part.id or 0, 5, "")
    assert early.value.status_code == 409
    assert early.value.detail == "Podrás calificar esta entrega cuando se complete."

    with transaction(engine) as tx:
        move(tx, shop["buyer"], part.id or 0, "completed")
    with pytest.raises(Forbidden), transaction(engine) as tx:  # the producer knows the part exists
        service.create(tx, shop["owner"], part.id or 0, 5, "Excelente")
    with pytest.raises(NotFound), transaction(engine) as tx:  # to anyone else it does not exist
        service.create(tx, stranger, part.id or 0, 5, "Excelente")
    with pytest.raises(NotFound), transaction(engine) as tx:
        service.create(tx, shop["buyer"], 999_999, 5, "")
    assert reviews_in(session) == []

    with transaction(engine) as tx:
        service.create(tx, shop["buyer"], part.id or 0, 4, "  Muy buen café, llegó a tiempo.  ")
    [review] = reviews_in(session)
    assert (review.author_id, review.organization_id) == (shop["buyer"].id, shop["organization"].id)
    assert (review.rating, review.comment) == (4, "Muy buen café, llegó a tiempo.")


def test_one_review_per_part(engine: Engine, session: Session, shop: dict[str, Any], buy: Buy) -> None:
    part = buy([shop["coffee"]])
    with transaction(engine) as tx:
        service.create(tx, shop["buyer"], part.id or 0, 5, "")
    with pytest.raises(service.AlreadyReviewed) as again, transaction(engine) as tx:
        service.create(tx, shop["buyer"], part.id or 0, 1, "Cambié de opinión")
    assert again.value.status_code == 409
    assert again.value.detail == "Esta entrega ya tiene una reseña: solo se puede calificar una vez."
    assert [r.rating for r in reviews_in(session)] == [5]


def test_two_reviews_racing_for_one_part_give_one_review_and_a_409(
    engine: Engine, session: Session, shop: dict[str, Any], buy: Buy
) -> None:
    part = buy([shop["coffee"]])
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(rating: int) -> None:
        start.wait()
        try:
            with transaction(engine) as tx:
                service.create(tx, shop["buyer"], part.id or 0, rating, "")
            outcomes.append("created")
        except MarketError as exc:
            outcomes.append(f"{exc.status_code} {exc.code}")
        except Exception as exc:  # an IntegrityError escaping would be a 500
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=submit, args=(n,)) for n in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["409 already_reviewed", "created"]
    assert len(reviews_in(session)) == 1


@pytest.mark.parametrize(
    ("rating", "comment", "field", "message"),
    [
        (0, "", "rating", "Elige una calificación de 1 a 5 estrellas."),
        (6, "", "rating", "Elige una calificación de 1 a 5 estrellas."),
        (-3, "", "rating", "Elige una calificación de 1 a 5 estrellas."),
        (5, "x" * 2001, "comment", "El comentario puede tener hasta 2000 caracteres."),
    ],
)
def test_a_refused_review_says_why_in_spanish(
    engine: Engine,
    session: Session,
    shop: dict[str, Any],
    buy: Buy,
    rating: int,
    comment: str,
    field: str,
    message: str,
) -> None:
    part = buy([shop["coffee"]])
    with pytest.raises(ValidationFailed) as refused, transaction(engine) as tx:
        service.create(tx, shop["buyer"], part.id or 0, rating, comment)
    assert refused.value.errors == {field: message}
    assert reviews_in(session) == []


def test_a_comment_of_exactly_2000_characters_is_accepted(
    engine: Engine, session: Session, shop: dict[str, Any], buy: Buy
) -> None:
    part = buy([shop["coffee"]])
    with transaction(engine) as tx:
        service.create(tx, shop["buyer"], part.id or 0, 3, "á" * 2000)
    assert len(reviews_in(session)[0].comment) == 2000


def test_the_producers_members_reply_once(
    engine: Engine, session: Session, shop: dict[str, Any], buy: Buy, make_user: Any, make_org: Any
) -> None:
    member = make_user("socia@example.mx", name="Marta Gómez")
    session.add(Membership(user_id=member.id or 0, organization_id=shop["organization"].id, role="member"))
    session.commit()
    other_producer = make_user("miel@example.mx")
    make_org(other_producer, name="Apicultoras del Puuc")
    part = buy([shop["coffee"]])
    with transaction(engine) as tx:
        review_id = service.create(tx, shop["buyer"], part.id or 0, 2, "Llegó tarde").id or 0

    for someone in (shop["buyer"], other_producer):
        with pytest.raises(Forbidden), transaction(engine) as tx:
            service.reply(tx, someone, review_id, "Gracias")
    for text in ("   ", "y" * 2001):
        with pytest.raises(ValidationFailed) as refused, transaction(engine) as tx:
            service.reply(tx, member, review_id, text)
        assert refused.value.errors == {"reply": "Escribe tu respuesta (de 1 a 2000 caracteres)."}
    with transaction(engine) as tx:
        service.reply(tx, member, review_id, " Una disculpa: tuvimos lluvias fuertes. ")
    with pytest.raises(service.AlreadyReplied) as twice, transaction(engine) as tx:
        service.reply(tx, shop["owner"], review_id, "Otra respuesta")
    assert twice.value.status_code == 409
    with pytest.raises(NotFound), transaction(engine) as tx:
        service.reply(tx, member, 999_999, "Hola")

    [review] = reviews_in(session)
    assert review.reply == "Una disculpa: tuvimos lluvias fuertes."
    assert review.replied_by == member.id and review.replied_at is not None


def test_a_review_emails_the_owners_and_refreshes_its_listings_in_search(
    engine: Engine, session: Session, shop: dict[str, Any], buy: Buy
) -> None:
    part = buy([shop["coffee"], shop["honey"]])
    session.expire_all()
    before = session.exec(select(func.max(OutboxEvent.id))).one() or 0
    with transaction(engine) as tx:
        review_id = service.create(tx, shop["buyer"], part.id or 0, 5, "¡Delicioso!").id or 0
    events = session.exec(
        select(OutboxEvent).where(col(OutboxEvent.id) > before).order_by(col(OutboxEvent.id))
    ).all()
    [told] = [e for e in emails(session) if e["kind"] == "review_received"]
    assert told["to"] == "cafe@example.mx"  # the owner
    assert told["subject"] == f"Nueva reseña para {shop['organization'].name}: 5 de 5 estrellas"
    assert f"pedido {part.order_id}" in told["body"] and "«¡Delicioso!»" in told["body"]
    assert "¡Delicioso!" in told["html"]
    assert told["link"] == f"/pedidos/{part.order_id}#parte-{part.id}"
    searched = [e.payload for e in events if e.topic == SEARCH_TOPIC]
    assert searched == [{"listing_ids": sorted([shop["coffee"].id, shop["honey"].id])}]

    with transaction(engine) as tx:
        service.reply(tx, shop["owner"], review_id, "¡Gracias, Luis!")
    [reply] = [e for e in emails(session) if e["kind"] == "review_reply"]
    assert reply["to"] == "luis@example.mx"
    assert reply["subject"] == f"{shop['organization'].name} respondió a tu reseña"
    assert "«¡Gracias, Luis!»" in reply["body"] and "¡Gracias, Luis!" in reply["html"]
    assert reply["link"] == f"/pedidos/{part.order_id}#parte-{part.id}"


def test_averages_counts_and_distribution(
    engine: Engine, session: Session, shop: dict[str, Any], buy: Buy
) -> None:
    assert (average(17, 4), average(13, 3), average(0, 0)) == (4.3, 4.3, 0.0)  # 4.25 rounds up
    coffee, honey = shop["coffee"], shop["honey"]
    for listings, rating in (([coffee], 5), ([coffee, honey], 4), ([honey], 2), ([coffee], 4)):
        part = buy(listings)
        with transaction(engine) as tx:
            service.create(tx, shop["buyer"], part.id or 0, rating, "")
    buy([coffee])  # completed, never reviewed: no effect

    assert queries.summary_of_listing(session, coffee.id).model_dump() == {
        "average": 4.3,
        "count": 3,
        "distribution": {5: 1, 4: 2, 3: 0, 2: 0, 1: 0},
    }
    assert (queries.summary_of_listing(session, honey.id).average, listing_ratings(session, [honey.id])) == (
        3.0,
        {honey.id: RatingSummary(average=3.0, count=2)},
    )
    organization = queries.summary_of_organization(session, shop["organization"].id)
    assert (organization.average, organization.count) == (3.8, 4)
    assert queries.summary_of_listing(session, 999_999).model_dump() == {
        "average": 0.0,
        "count": 0,
        "distribution": {5: 0, 4: 0, 3: 0, 2: 0, 1: 0},
    }

    newest_first = queries.of_organization(session, shop["organization"].id, page=1, per_page=3)
    assert newest_first.total == 4 and [r.rating for r in newest_first.items] == [4, 2, 4]
    assert {r.author_name for r in newest_first.items} == {"Luis"}  # first name only
    assert [r.rating for r in queries.of_listing(session, honey.id).items] == [2, 4]


def test_a_review_rolled_back_with_its_request_leaves_nothing_behind(
    engine: Engine, session: Session, shop: dict[str, Any], buy: Buy
) -> None:
    """The unique-constraint savepoint must nest in the request's transaction (on SQLite too, whose driver
    opens one only on a write), or the review would be committed on its own."""
    part = buy([shop["coffee"]])
    before = session.exec(select(func.count()).select_from(OutboxEvent)).one()
    with pytest.raises(RuntimeError), transaction(engine) as tx:
        service.create(tx, shop["buyer"], part.id or 0, 5, "")
        raise RuntimeError("the request failed after the review")
    assert reviews_in(session) == []
    assert session.exec(select(func.count()).select_from(OutboxEvent)).one() == before


def test_a_colleague_at_the_buying_institution_may_review_its_awarded_order(
    engine: Engine, session: Session, shop: dict[str, Any], buy: Buy, make_user: Any
) -> None:
    colleague, outsider = make_user("directora@escuela.mx", name="Elena Ruiz"), make_user("otro@example.mx")
    school = BuyerOrganization(
        slug="escuela-benito-juarez",
        name="Escuela Benito Juárez",
        kind="school",
        rfc="EBJ050312AB4",
        razon_social="Escuela Benito Juárez A.C.",
        regimen_fiscal="603",
        codigo_postal="68000",
        uso_cfdi="G03",
        state="20",
        municipality="Oaxaca de Juárez",
    )
    session.add(school)
    session.flush()
    for person in (shop["buyer"], colleague):
        session.add(BuyerMembership(user_id=person.id or 0, buyer_organization_id=school.id or 0))
    demand = Demand(
        buyer_organization_id=school.id or 0,
        created_by=shop["buyer"].id or 0,
        title="Café para la cafetería",
        category="cafe",
        quantity=10,
        unit="kg",
        delivery_state="20",
        delivery_municipality="Oaxaca de Juárez",
        delivery_address="Calle Reforma 5, Centro",
        first_delivery=date(2027, 1, 15),
        quote_deadline=utcnow(),
        status=DemandStatus.AWARDED,
    )
    session.add(demand)
    session.commit()
    part = buy([shop["coffee"]])
    order = session.get(Order, part.order_id)
    assert order is not None
    order.demand_id, order.buyer_organization_id = demand.id, school.id  # as an award places it
    session.commit()

    with pytest.raises(NotFound), transaction(engine) as tx:
        service.create(tx, outsider, part.id or 0, 5, "")
    with transaction(engine) as tx:
        service.create(tx, colleague, part.id or 0, 5, "Llegó completo para el comedor.")
    assert [r.author_id for r in reviews_in(session)] == [colleague.id]
