"""Review pages: the buyer's rating form and the producer's reply on the order page (plain forms, enhanced
with htmx), and an organization's reviews, page by page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts.models import User
from market.bounds import Id, PageNumber, whole_number
from market.db import DbSession
from market.errors import NotFound, ValidationFailed
from market.i18n import gettext as _
from market.orders.fulfillment import get_fulfillment
from market.organizations import service as organizations
from market.reviews import queries, service
from market.reviews.models import Review
from market.web import (
    current_user,
    flash,
    flash_failure,
    form_data,
    redirect,
    refusable,
    render,
    require_user,
    verify_csrf,
)

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _rating(form: FormData) -> int:
    # Anything but a whole number is refused by the service, with its own message.
    return whole_number(form.get("rating", "")) or 0


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _back(request: Request, order_id: int, fulfillment_id: int) -> Response:
    """To the part on the order page, where the flash message shows; htmx is told to go there itself
    (it would follow a plain redirect and swap the whole page into the box)."""
    url = f"/pedidos/{order_id}#parte-{fulfillment_id}"
    return Response(headers={"HX-Redirect": url}) if _is_htmx(request) else redirect(url)


def _box(
    request: Request, session: Session, user: User, order_id: int, fulfillment_id: int, **context: Any
) -> Response:
    """The part's review box alone: what htmx swaps into the order page."""
    fulfillment, order = get_fulfillment(session, fulfillment_id)
    box = queries.order_boxes(session, user, order, [fulfillment])[fulfillment_id]
    base = {"order_id": order_id, "part_id": fulfillment_id, "box": box, "values": {}, "errors": {}}
    return render(request, "reviews/_box.html", base | context, user=user)


def _form_again(
    request: Request,
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
    if _is_htmx(request):  # htmx swaps only successful responses
        return _box(request, session, user, order_id, fulfillment_id, **context)
    context |= {"order_id": order_id, "part_id": fulfillment_id, "form": form}
    return render(request, "reviews/form_page.html", context, 422, user)


@router.post("/pedidos/{order_id}/partes/{fulfillment_id}/resena", name="reviews.create")
def create(
    order_id: Id,
    fulfillment_id: Id,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    comment = str(form.get("comment", ""))
    with flash_failure(request, session, 403, 409):
        fulfillment, _order = get_fulfillment(session, fulfillment_id)
        if fulfillment.order_id != order_id:
            raise NotFound()
        try:
            with refusable(session):
                service.create(session, user, fulfillment_id, _rating(form), comment)
        except ValidationFailed as exc:
            values = {"rating": str(form.get("rating", "")), "comment": comment}
            return _form_again(request, session, user, order_id, fulfillment_id, "review", exc, values)
        if _is_htmx(request):
            return _box(request, session, user, order_id, fulfillment_id, notice=_("Gracias por tu reseña."))
        flash(request, _("Gracias por tu reseña."))
    return _back(request, order_id, fulfillment_id)


@router.post("/pedidos/{order_id}/resenas/{review_id}/respuesta", name="reviews.reply")
def reply(
    order_id: Id,
    review_id: Id,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    text = str(form.get("reply", ""))
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound()
    fulfillment_id = review.fulfillment_id
    with flash_failure(request, session, 403, 409):
        fulfillment, _order = get_fulfillment(session, fulfillment_id)
        if fulfillment.order_id != order_id:
            raise NotFound()
        try:
            with refusable(session):
                service.reply(session, user, review_id, text)
        except ValidationFailed as exc:
            values = {"reply": text}
            return _form_again(
                request, session, user, order_id, fulfillment_id, "reply", exc, values, review_id
            )
        if _is_htmx(request):
            return _box(
                request, session, user, order_id, fulfillment_id, notice=_("Publicamos tu respuesta.")
            )
        flash(request, _("Publicamos tu respuesta."))
    return _back(request, order_id, fulfillment_id)


@router.get("/productores/{slug}/resenas", name="reviews.organization_reviews")
def organization_reviews(
    slug: str,
    request: Request,
    page: PageNumber = 1,
    session: Session = DbSession,
    user: User | None = Depends(current_user),
) -> Response:
    organization = organizations.get_visible(session, slug, user)
    assert organization.id is not None
    return render(
        request,
        "reviews/organization.html",
        {
            "org": organization,
            "rating": queries.summary_of_organization(session, organization.id),
            "page": queries.of_organization(session, organization.id, page, 20),
        },
        user=user,
    )
