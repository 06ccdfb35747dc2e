"""Administration pages: the verification queue and decisions on organizations."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts.models import User
from market.db import DbSession
from market.errors import ValidationFailed
from market.i18n import gettext as _
from market.organizations import service as organizations
from market.web import flash, form_data, redirect, render, require_user, verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/verificacion")
def queue(
    request: Request,
    estado: str | None = None,
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    pending = organizations.verification_queue(session, user)
    others = organizations.all_for_admin(session, user, estado or None, 1)
    return render(
        request, "admin/queue.html", {"pending": pending, "others": others, "estado": estado}, user=user
    )


@router.post("/organizaciones/{slug}/{decision}")
def decide(
    slug: str,
    decision: str,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    organization = organizations.get_by_slug(session, slug)
    reason = str(form.get("reason", "")) or None
    actions = {
        "verificar": lambda: organizations.verify(session, user, organization),
        "rechazar": lambda: organizations.reject(session, user, organization, reason),
        "suspender": lambda: organizations.suspend(session, user, organization, reason),
        "reactivar": lambda: organizations.reinstate(session, user, organization),
    }
    if decision not in actions:
        return redirect("/admin/verificacion")
    try:
        actions[decision]()
    except ValidationFailed as exc:
        flash(request, "; ".join(_(m) for m in exc.errors.values()), "error")
        return redirect("/admin/verificacion")
    flash(request, _("Listo: {name}.").format(name=organization.name))
    return redirect("/admin/verificacion")
