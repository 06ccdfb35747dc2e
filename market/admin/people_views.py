"""Administration pages of people: the searchable list, one person's page, and confirming their e-mail."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from market.accounts import sessions
from market.admin import people
from market.bounds import Id, PageNumber
from market.deps import PageDep, SessionDep, UserDep
from market.i18n import gettext as _
from market.web import flash, flash_failure, verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/personas", name="admin.list_page")
def list_page(
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    q: str = "",
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    q = q[:254]  # longer than any e-mail: it matches no one
    found = people.search(session, user, q, page_number)
    context = {"page": found, "q": q, "query": urlencode({"q": q}) if q else ""}
    return page.render("admin/people.html", context)


@router.get("/personas/{user_id}", name="admin.person_page")
def person_page(user_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    return page.render("admin/person.html", {"person": people.person(session, user, user_id)})


@router.post("/personas/{user_id}/confirmar-correo", name="admin.confirm_email")
def confirm_email(
    user_id: Id, request: Request, page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    with flash_failure(request, session, 409):
        person = people.confirm_email(session, user, user_id)
        flash(request, _("Confirmamos el correo de {name}.").format(name=person.name))
    return page.redirect(page.url("admin.person_page", user_id=user_id))


@router.post("/personas/{user_id}/cerrar-sesiones", name="admin.sign_out_everywhere")
def sign_out_everywhere(
    user_id: Id, request: Request, page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    """A lost phone, a taken-over account: every session of the person ends and their API tokens are
    revoked, in the audit log."""
    result = sessions.sign_out_everywhere(session, user, user_id)
    flash(
        request,
        _("Sesiones cerradas: {sessions}. Tokens revocados: {tokens}.").format(
            sessions=result.sessions_ended, tokens=result.tokens_revoked
        ),
    )
    return page.redirect(page.url("admin.person_page", user_id=user_id))
