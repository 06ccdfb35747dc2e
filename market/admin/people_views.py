"""Administration pages of people: the searchable list, one person's page, and confirming their e-mail."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from market.accounts import sessions
from market.accounts.models import User
from market.admin import people
from market.bounds import Id, PageNumber
from market.db import DbSession
from market.i18n import gettext as _
from market.web import flash, flash_failure, redirect, render, require_user, verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/personas", name="admin.list_page")
def list_page(
    request: Request,
    q: str = "",
    pagina: PageNumber = 1,
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    q = q[:254]  # longer than any e-mail: it matches no one
    found = people.search(session, user, q, pagina)
    context = {"page": found, "q": q, "query": urlencode({"q": q}) if q else ""}
    return render(request, "admin/people.html", context, user=user)


@router.get("/personas/{user_id}", name="admin.person_page")
def person_page(
    user_id: Id, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    return render(request, "admin/person.html", {"person": people.person(session, user, user_id)}, user=user)


@router.post("/personas/{user_id}/confirmar-correo", name="admin.confirm_email")
def confirm_email(
    user_id: Id, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    with flash_failure(request, session, 409):
        person = people.confirm_email(session, user, user_id)
        flash(request, _("Confirmamos el correo de {name}.").format(name=person.name))
    return redirect(f"/admin/personas/{user_id}")


@router.post("/personas/{user_id}/cerrar-sesiones", name="admin.sign_out_everywhere")
def sign_out_everywhere(
    user_id: Id, request: Request, user: User = Depends(require_user), session: Session = DbSession
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
    return redirect(f"/admin/personas/{user_id}")
