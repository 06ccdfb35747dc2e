"""Reviews: the buyer of a completed fulfillment rates it once (1 to 5 stars and a comment); the producer
may reply once. A new review tells the organization's owners and refreshes its listings in search."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.db import utcnow
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.i18n import N_
from market.mail import kinds
from market.mail.queue import send, send_each
from market.orders.fulfillment import acts_for_buyer, get_fulfillment, known_fulfillment
from market.orders.models import Fulfillment, FulfillmentStatus, OrderLine
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.organizations.people import owners_of
from market.outbox import search_changed
from market.reviews.models import Review
from market.urls import path_for

MAX_TEXT = 2000
RATING_INVALID = N_("Elige una calificación de 1 a 5 estrellas.")
COMMENT_TOO_LONG = N_("El comentario puede tener hasta 2000 caracteres.")
REPLY_LENGTH = N_("Escribe tu respuesta (de 1 a 2000 caracteres).")


class NotCompletedYet(Conflict):
    code = "not_completed"
    message = N_("Podrás calificar esta entrega cuando se complete.")


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    message = N_("Esta entrega ya tiene una reseña: solo se puede calificar una vez.")


class AlreadyReplied(Conflict):
    code = "already_replied"
    message = N_("Esta reseña ya tiene una respuesta: solo se puede responder una vez.")


def create(session: Session, user: User, fulfillment_id: int, rating: int, comment: str) -> Review:
    """Only whoever acts for the order's buyer, once the part is completed, and once per part."""
    assert user.id is not None
    fulfillment, order = known_fulfillment(session, user, fulfillment_id)
    if not acts_for_buyer(session, user, order):
        raise Forbidden(N_("Solo quien compró puede calificar esta entrega."))
    if fulfillment.status != FulfillmentStatus.COMPLETED:
        raise NotCompletedYet()
    if session.exec(select(Review.id).where(Review.fulfillment_id == fulfillment_id)).first() is not None:
        raise AlreadyReviewed()
    comment = comment.strip()
    errors = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = RATING_INVALID
    if len(comment) > MAX_TEXT:
        errors["comment"] = COMMENT_TOO_LONG
    if errors:
        raise ValidationFailed(errors)

    # Keep the part as read until commit. Being a write, it also opens the transaction on SQLite, whose
    # driver starts one only for writes: a savepoint opened outside a transaction would commit on release.
    held = session.execute(
        update(Fulfillment)
        .where(col(Fulfillment.id) == fulfillment_id, col(Fulfillment.status) == FulfillmentStatus.COMPLETED)
        .values(status=FulfillmentStatus.COMPLETED)
    )
    if held.rowcount == 0:  # type: ignore[attr-defined]
        raise NotCompletedYet()  # moved meanwhile (completed is final today: a safeguard)
    review = Review(
        fulfillment_id=fulfillment_id,
        organization_id=fulfillment.organization_id,
        author_id=user.id,
        rating=rating,
        comment=comment,
    )
    try:
        with session.begin_nested():  # two submissions racing: the unique fulfillment lets one through
            session.add(review)
    except IntegrityError:
        raise AlreadyReviewed() from None
    _tell_owners(session, fulfillment, review)
    listing_ids = session.exec(
        select(OrderLine.listing_id).where(
            OrderLine.fulfillment_id == fulfillment_id, col(OrderLine.listing_id).is_not(None)
        )
    ).all()
    search_changed(session, listing_ids=[i for i in listing_ids if i is not None])  # their rating changed
    return review


def reply(session: Session, user: User, review_id: int, text: str) -> Review:
    """A member of the reviewed organization answers, once."""
    assert user.id is not None
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound()
    organization = session.get(Organization, review.organization_id)
    assert organization is not None
    organizations.require_member(session, user, organization)
    if review.reply is not None:
        raise AlreadyReplied()
    text = text.strip()
    if not 1 <= len(text) <= MAX_TEXT:
        raise ValidationFailed({"reply": REPLY_LENGTH})
    now = utcnow()
    # Conditional on "no reply yet", so two members answering at once cannot overwrite each other.
    written = session.execute(
        update(Review)
        .where(col(Review.id) == review_id, col(Review.reply).is_(None))
        .values(reply=text, replied_by=user.id, replied_at=now)
    )
    if written.rowcount == 0:  # type: ignore[attr-defined]
        raise AlreadyReplied()
    review.reply, review.replied_by, review.replied_at = text, user.id, now
    author = session.get(User, review.author_id)
    if author is not None:
        _, order = get_fulfillment(session, review.fulfillment_id)
        send(
            session,
            kinds.REVIEW_REPLY,
            author,
            link=path_for("orders.order_page", order_id=order.id) + f"#parte-{review.fulfillment_id}",
            organization=organization.name,
            order_id=order.id,
            stars=review.rating,
            reply=text,
        )
    return review


def _tell_owners(session: Session, fulfillment: Fulfillment, review: Review) -> None:
    """E-mail the organization's owners, each in their language."""
    organization = session.get(Organization, fulfillment.organization_id)
    assert organization is not None
    send_each(
        session,
        kinds.REVIEW_RECEIVED,
        owners_of(session, organization.id),
        link=path_for("orders.order_page", order_id=fulfillment.order_id) + f"#parte-{fulfillment.id}",
        organization=organization.name,
        order_id=fulfillment.order_id,
        stars=review.rating,
        comment=review.comment,
    )
