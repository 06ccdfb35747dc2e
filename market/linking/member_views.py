"""The «Miembros» page of an institution: who belongs and since when, its owners' actions (change a role,
remove someone; colleagues are added on the institution's page), and leaving. Thin: the rules are in
market/linking/buyer_members.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlmodel import Session

from market.accounts.models import User
from market.bounds import Id
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.errors import NotFound
from market.i18n import gettext as _
from market.linking import buyer_members, buyers
from market.linking.models import BuyerOrganization
from market.organizations.member_views import REFUSALS, ROLE_LABELS
from market.web import PageContext, flash, flash_failure, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _of_member(session: Session, user: User, buyer_id: int) -> BuyerOrganization:
    """The institution, for its members only (to anyone else, administrators too, it does not exist here)."""
    buyer = buyers.get(session, buyer_id)
    if not buyers.is_member(session, user, buyer):
        raise NotFound()
    return buyer


def _back(page: PageContext, buyer: BuyerOrganization) -> Response:
    return page.redirect(page.url("linking.members", buyer_id=buyer.id))


@router.get("/instituciones/{buyer_id}/miembros", name="linking.members")
def members_page(buyer_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    buyer = _of_member(session, user, buyer_id)
    context = {
        "buyer": buyer,
        "owner": buyer_members.is_owner(session, user, buyer),
        "people": buyer_members.roster(session, user, buyer),
        "ROLE_LABELS": ROLE_LABELS,
    }
    return page.render("linking/members.html", context)


@router.post("/instituciones/{buyer_id}/miembros/{user_id}/rol", name="linking.change_role")
def change_role(
    buyer_id: Id, user_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    buyer = _of_member(session, user, buyer_id)
    with flash_failure(page.request, session, *REFUSALS):
        membership = buyer_members.change_role(session, user, buyer, user_id, str(form.get("role", "")))
        flash(page.request, _("Cambiamos el rol a {role}.").format(role=_(ROLE_LABELS[membership.role])))
    return _back(page, buyer)


@router.post("/instituciones/{buyer_id}/miembros/{user_id}/quitar", name="linking.remove_member")
def remove_member(buyer_id: Id, user_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    buyer = _of_member(session, user, buyer_id)
    with flash_failure(page.request, session, *REFUSALS):
        person = buyer_members.remove(session, user, buyer, user_id)
        if person.id == user.id:
            flash(page.request, _("Saliste de {name}.").format(name=buyer.name))
            return page.redirect(page.url("organizations.dashboard"))
        flash(
            page.request,
            _("{person} ya no forma parte de {name}.").format(person=person.name, name=buyer.name),
        )
    return _back(page, buyer)


@router.post("/instituciones/{buyer_id}/salir", name="linking.leave")
def leave(buyer_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    buyer = _of_member(session, user, buyer_id)
    with flash_failure(page.request, session, *REFUSALS):
        buyer_members.leave(session, user, buyer)
        flash(page.request, _("Saliste de {name}.").format(name=buyer.name))
        return page.redirect(page.url("organizations.dashboard"))
    return _back(page, buyer)
