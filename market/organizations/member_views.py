"""The «Miembros» page of a producer organization's panel: who belongs, the invitations that wait, and its
owners' actions (change a role, remove someone, revoke or resend an invitation); anyone may leave. Thin:
the rules are in market/organizations/members.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from market.bounds import Id
from market.db import utcnow
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.i18n import N_
from market.i18n import gettext as _
from market.organizations import members, service
from market.web import PageContext, flash, flash_failure, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

ROLE_LABELS = {"owner": N_("propietaria"), "member": N_("integrante")}
REFUSALS = (409, 422)  # the last owner, a wrong role: a message on the page; others are error pages


def _back(page: PageContext, slug: str) -> Response:
    return page.redirect(page.url("organizations.members", slug=slug))


@router.get("/panel/o/{slug}/miembros", name="organizations.members")
def members_page(slug: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    organization = service.get_managed(session, slug, user)
    role = service.role_in(session, user, organization)
    return page.render(
        "organizations/members.html",
        {
            "org": organization,
            "role": role,
            "people": members.roster(session, user, organization),
            "invitations": members.invitations(session, user, organization) if role == "owner" else [],
            "now": utcnow(),
            "ROLE_LABELS": ROLE_LABELS,
        },
    )


@router.post("/panel/o/{slug}/miembros/{user_id}/rol", name="organizations.change_role")
def change_role(
    slug: str, user_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    organization = service.get_managed(session, slug, user)
    with flash_failure(page.request, session, *REFUSALS):
        membership = members.change_role(session, user, organization, user_id, str(form.get("role", "")))
        flash(page.request, _("Cambiamos el rol a {role}.").format(role=_(ROLE_LABELS[membership.role])))
    return _back(page, organization.slug)


@router.post("/panel/o/{slug}/miembros/{user_id}/quitar", name="organizations.remove_member")
def remove_member(slug: str, user_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    organization = service.get_managed(session, slug, user)
    with flash_failure(page.request, session, *REFUSALS):
        person = members.remove(session, user, organization, user_id)
        if person.id == user.id:
            flash(page.request, _("Saliste de {name}.").format(name=organization.name))
            return page.redirect(page.url("organizations.dashboard"))
        flash(
            page.request,
            _("{person} ya no forma parte de {name}.").format(person=person.name, name=organization.name),
        )
    return _back(page, organization.slug)


@router.post("/panel/o/{slug}/salir", name="organizations.leave")
def leave(slug: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    organization = service.get_managed(session, slug, user)
    with flash_failure(page.request, session, *REFUSALS):
        members.leave(session, user, organization)
        flash(page.request, _("Saliste de {name}.").format(name=organization.name))
        return page.redirect(page.url("organizations.dashboard"))
    return _back(page, organization.slug)


@router.post("/panel/o/{slug}/invitaciones/{invitation_id}/cancelar", name="organizations.revoke_invitation")
def revoke_invitation(
    slug: str, invitation_id: Id, page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    organization = service.get_managed(session, slug, user)
    members.revoke_invitation(session, user, organization, invitation_id)
    flash(page.request, _("Cancelamos la invitación: su enlace ya no funciona."))
    return _back(page, organization.slug)
