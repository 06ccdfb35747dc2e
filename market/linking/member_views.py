"""The «Miembros» page of an institution: who belongs and since when, the invitations that wait, its owners'
actions (invite, change a role, remove someone, revoke or resend an invitation), and leaving; the page where
an invited person accepts. Thin: the rules are in market/linking/buyer_members.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlmodel import Session

from market.accounts.models import User
from market.bounds import Id
from market.db import utcnow
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.errors import AlreadyMember, NotFound, TooManyInvitations, ValidationFailed
from market.forms import FormInvalid, text_fields, validate
from market.i18n import gettext as _
from market.linking import buyer_members, buyers
from market.linking.models import BuyerOrganization
from market.organizations.member_views import REFUSALS, ROLE_LABELS
from market.organizations.schemas import InvitationCreate
from market.web import PageContext, flash, flash_failure, refusable, refused, verify_csrf

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
    return _page(page, session, user, _of_member(session, user, buyer_id))


def _page(
    page: PageContext,
    session: Session,
    user: User,
    buyer: BuyerOrganization,
    invite: dict[str, str] | None = None,
) -> Response:
    owner = buyer_members.is_owner(session, user, buyer)
    context = {
        "buyer": buyer,
        "owner": owner,
        "people": buyer_members.roster(session, user, buyer),
        "invitations": buyer_members.invitations(session, user, buyer) if owner else [],
        "invite": invite or {"email": "", "role": "member"},
        "now": utcnow(),
        "ROLE_LABELS": ROLE_LABELS,
    }
    return page.render("linking/members.html", context)


@router.post("/instituciones/{buyer_id}/invitaciones", name="linking.invite")
def invite(buyer_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep) -> Response:
    """Its owners invite by e-mail (a resend is the same form). A refusal (a wrong address, someone who
    already belongs, too many invitations this hour) is the page again with why, and its status."""
    buyer = _of_member(session, user, buyer_id)
    fields = text_fields(form)
    typed = {"email": str(fields.get("email", "")), "role": str(fields.get("role") or "member")}
    try:
        data = validate(InvitationCreate, typed)
        with refusable(session):
            buyer_members.invite(session, user, buyer, data.email, data.role)
    except FormInvalid as exc:
        flash(page.request, " ".join(exc.errors.values()), "error")
        return refused(_page(page, session, user, buyer, typed), ValidationFailed(exc.errors))
    except (AlreadyMember, TooManyInvitations) as exc:
        flash(page.request, exc.detail, "error")
        return refused(_page(page, session, user, buyer, typed), exc)
    flash(page.request, _("Enviamos la invitación a {email}.").format(email=data.email))
    return page.redirect(page.url("linking.members", buyer_id=buyer.id) + "#invitaciones")


@router.post(
    "/instituciones/{buyer_id}/invitaciones/{invitation_id}/cancelar", name="linking.revoke_invitation"
)
def revoke_invitation(
    buyer_id: Id, invitation_id: Id, page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    buyer = _of_member(session, user, buyer_id)
    buyer_members.revoke_invitation(session, user, buyer, invitation_id)
    flash(page.request, _("Cancelamos la invitación: su enlace ya no funciona."))
    return page.redirect(page.url("linking.members", buyer_id=buyer.id) + "#invitaciones")


@router.get("/invitaciones/institucion/{token}", name="linking.invitation")
def invitation(token: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    found = buyer_members.open_invitation(session, user, token)  # an expired or revoked one: its error page
    buyer = buyer_members.INVITATIONS.group_of(session, found)
    return page.render("linking/invitation.html", {"token": token, "invitation": found, "buyer": buyer})


@router.post("/invitaciones/institucion/{token}", name="linking.accept_invitation")
def accept_invitation(token: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    buyer = buyer_members.accept_invitation(session, user, token)
    flash(page.request, _("Ya formas parte de {name}.").format(name=buyer.name))
    return page.redirect(page.url("linking.institution", buyer_id=buyer.id))


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
