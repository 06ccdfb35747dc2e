"""Pages to register, log in and out, choose the language, and see where one is signed in (/cuenta)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts import service, sessions, tokens
from market.accounts.models import User
from market.accounts.schemas import Registration
from market.bounds import Id
from market.db import DbSession, utcnow
from market.errors import EmailTaken, TooManyAttempts
from market.forms import FormInvalid, text_fields, validate
from market.i18n import gettext as _
from market.i18n import ngettext
from market.orders import cart as carts
from market.web import (
    client_ip,
    current_user,
    flash,
    form_data,
    log_in,
    log_out,
    redirect,
    refusable,
    render,
    require_user,
    safe_next,
    set_locale_cookie,
    verify_csrf,
)

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/registro", name="accounts.register_form")
def register_form(request: Request, user: User | None = Depends(current_user)) -> Response:
    if user:
        return redirect("/panel")
    return render(request, "accounts/register.html", {"values": {}, "errors": {}})


@router.post("/registro", name="accounts.register")
def register(request: Request, form: FormData = Depends(form_data), session: Session = DbSession) -> Response:
    values = text_fields(form, exclude={"password"})
    try:
        data = validate(Registration, values | {"password": form.get("password", "")})
        with refusable(session):
            user = service.register(session, data)
    except FormInvalid as exc:
        return render(request, "accounts/register.html", {"values": values, "errors": exc.errors}, 422)
    except EmailTaken as exc:
        return render(
            request, "accounts/register.html", {"values": values, "errors": {"email": exc.detail}}, 409
        )
    carts.merge_at_login(session, user, request.session.get("cart"))
    response = log_in(request, session, user, redirect("/panel"))
    flash(
        request,
        _(
            "¡Te damos la bienvenida, {name}! Te enviamos un correo a {email}: abre su enlace para confirmar "
            "tu dirección, y después registra tu organización."
        ).format(name=user.name, email=user.email),
    )
    return response


@router.get("/entrar", name="accounts.login_form")
def login_form(
    request: Request, next: str | None = None, user: User | None = Depends(current_user)
) -> Response:
    if user:
        return redirect(safe_next(next))
    return render(request, "accounts/login.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/entrar", name="accounts.login")
def login(request: Request, form: FormData = Depends(form_data), session: Session = DbSession) -> Response:
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    next_url = safe_next(str(form.get("next", "")))
    context = {"next": next_url, "email": email}
    try:
        user = service.authenticate(session, request.app.state.settings, email, password, client_ip(request))
    except TooManyAttempts as exc:  # the form again, saying how long to wait
        response = render(request, "accounts/login.html", context | {"error": exc.detail}, 429)
        response.headers.update(exc.headers)
        return response
    if user is None:
        # Rendered (not raised) so the failed attempt is committed and counts towards the limit.
        return render(
            request, "accounts/login.html", context | {"error": _("Correo o contraseña incorrectos.")}, 401
        )
    carts.merge_at_login(session, user, request.session.get("cart"))
    return log_in(request, session, user, redirect(next_url))


@router.post("/salir", name="accounts.logout")
def logout(request: Request, session: Session = DbSession) -> Response:
    log_out(request, session)
    return redirect("/")


def _access(request: Request, session: Session, user: User) -> dict[str, Any]:
    assert user.id is not None
    return {
        "browser_sessions": sessions.sessions_of(session, user.id),
        "current_session_id": request.state.browser_session_id,
        "tokens": tokens.of_user(session, user.id),
        "now": utcnow(),
    }


def _done(request: Request, session: Session, user: User, message: str) -> Response:
    """With htmx, the lists as they are now and what was done; without, back to the page with a message."""
    if request.headers.get("hx-request"):
        context = _access(request, session, user) | {"notice": message}
        return render(request, "accounts/_access.html", context, user=user)
    flash(request, message)
    return redirect("/cuenta")


@router.get("/cuenta", name="accounts.account")
def account(request: Request, user: User = Depends(require_user), session: Session = DbSession) -> Response:
    return render(request, "accounts/account.html", _access(request, session, user), user=user)


@router.post("/cuenta/sesiones/{session_id}/cerrar", name="accounts.end_session")
def end_session(
    session_id: Id, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    sessions.end_session(session, user, session_id)
    return _done(request, session, user, _("Cerramos la sesión de ese dispositivo."))


@router.post("/cuenta/sesiones/cerrar-las-demas", name="accounts.end_other_sessions")
def end_other_sessions(
    request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    assert user.id is not None
    ended = sessions.end_all_sessions(session, user.id, keep=request.state.browser_session_id)
    message = (
        ngettext("Cerramos {n} otra sesión abierta.", "Cerramos otras {n} sesiones abiertas.", ended)
        if ended
        else _("No había otras sesiones abiertas.")
    ).format(n=ended)
    return _done(request, session, user, message)


@router.post("/cuenta/tokens/{token_id}/revocar", name="accounts.revoke_token")
def revoke_token(
    token_id: Id, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    revoked = tokens.revoke(session, user, token_id)
    return _done(request, session, user, _("Revocamos el token «{name}».").format(name=revoked.name))


@router.get("/idioma/{code}", name="accounts.choose_language")
def choose_language(code: str, request: Request, next: str | None = None) -> Response:
    response = redirect(next if next and next.startswith("/") and not next.startswith("//") else "/")
    set_locale_cookie(response, code)
    return response
