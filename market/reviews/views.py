"""Review pages: the buyer's rating form and the producer's reply on the order page (plain forms, enhanced
with htmx), and an organization's reviews, page by page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts.models import User
from market.bounds import Id, PageNumber, whole_number
from market.deps import FormDep, PageDep, SessionDep, UserDep, VisitorDep
from market.errors import NotFound, ValidationFailed
from market.i18n import gettext as _
from market.orders import queries as order_queries
from market.orders.fulfillment import get_fulfillment
from market.organizations import service as organizations
from market.reviews import queries, service
from market.reviews.models import Review
from market.web import PageContext, flash, flash_failure, refusable, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _rating(form: FormData) -> int:
    # Anything but a whole number is refused by the service, with its own message.
    return whole_number(form.get("rating", "")) or 0


def _back(page: PageContext, order_id: int, fulfillment_id: int) -> Response:
    """To the part on the order page, where the flash message shows; htmx is told to go there itself
    (it would follow a plain redirect and swap the whole page into the box)."""
    return page.redirect(page.url("orders.order_page", order_id=order_id) + f"#parte-{fulfillment_id}")


def _box(
    page: PageContext, session: Session, user: User, order_id: int, fulfillment_id: int, **context: Any
) -> Response:
    """The part's review box alone: what htmx swaps into the order page."""
    fulfillment, order = get_fulfillment(session, fulfillment_id)
    box = queries.order_boxes(session, user, order, [fulfillment])[fulfillment_id]
    base = {"order_id": order_id, "part_id": fulfillment_id, "box": box, "values": {}, "errors": {}}
    return page.render("reviews/_box.html", base | context)


def _form_again(
    page: PageContext,
    session: Session,
    user: User,
    order_id: int,
    fulfillment_id: int,
    form: str,
    exc: ValidationFailed,
    values: dict[str, str],
    review_id: int | None = None,
) -> Response:
    """A refused form comes back with the person's text and the reasons: in place (htmx) or on a page."""
    errors = exc.body()["fields"]
    context = {"values": values, "errors": errors, "review_id": review_id}
    if page.is_htmx:  # htmx swaps only successful responses
        return _box(page, session, user, order_id, fulfillment_id, **context)
    context |= {"order_id": order_id, "part_id": fulfillment_id, "form": form}
    return page.render("reviews/form_page.html", context, 422)


@router.post("/pedidos/{order_id}/partes/{fulfillment_id}/resena", name="reviews.create")
def create(
    order_id: Id,
    fulfillment_id: Id,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    comment = str(form.get("comment", ""))
    with flash_failure(request, session, 403, 409):
        order_queries.part_of_order(session, order_id, fulfillment_id)
        try:
            with refusable(session):
                service.create(session, user, fulfillment_id, _rating(form), comment)
        except ValidationFailed as exc:
            values = {"rating": str(form.get("rating", "")), "comment": comment}
            return _form_again(page, session, user, order_id, fulfillment_id, "review", exc, values)
        if page.is_htmx:
            return _box(page, session, user, order_id, fulfillment_id, notice=_("Gracias por tu reseña."))
        flash(request, _("Gracias por tu reseña."))
    return _back(page, order_id, fulfillment_id)


@router.post("/pedidos/{order_id}/resenas/{review_id}/respuesta", name="reviews.reply")
def reply(
    order_id: Id,
    review_id: Id,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    text = str(form.get("reply", ""))
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound()
    fulfillment_id = review.fulfillment_id
    with flash_failure(request, session, 403, 409):
        order_queries.part_of_order(session, order_id, fulfillment_id)
        try:
            with refusable(session):
                service.reply(session, user, review_id, text)
        except ValidationFailed as exc:
            values = {"reply": text}
            return _form_again(page, session, user, order_id, fulfillment_id, "reply", exc, values, review_id)
        if page.is_htmx:
            return _box(page, session, user, order_id, fulfillment_id, notice=_("Publicamos tu respuesta."))
        flash(request, _("Publicamos tu respuesta."))
    return _back(page, order_id, fulfillment_id)


@router.get("/productores/{slug}/resenas", name="reviews.organization_reviews")
def organization_reviews(
    slug: str,
    page: PageDep,
    session: SessionDep,
    visitor: VisitorDep,
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    organization = organizations.get_visible(session, slug, visitor)
    assert organization.id is not None
    return page.render(
        "reviews/organization.html",
        {
            "org": organization,
            "rating": queries.summary_of_organization(session, organization.id),
            # what partials/pagination.html pages through
            "page": queries.of_organization(session, organization.id, page_number, 20),
        },
    )
