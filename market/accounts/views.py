"""Pages to register, log in and out, choose the language, and see where one is signed in (/cuenta)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from market.accounts import service, sessions, tokens
from market.accounts.models import User
from market.accounts.schemas import BUY, SELL, Registration
from market.bounds import Id
from market.db import utcnow
from market.deps import FormDep, PageDep, SessionDep, SettingsDep, UserDep, VisitorDep
from market.errors import EmailTaken, TooManyAttempts
from market.forms import FormInvalid, text_fields, validate
from market.i18n import gettext as _
from market.i18n import ngettext
from market.orders import cart as carts
from market.web import (
    PageContext,
    client_ip,
    flash,
    log_in,
    log_out,
    refusable,
    refused,
    safe_next,
    set_locale_cookie,
    site_path,
    verify_csrf,
)

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/registro", name="accounts.register_form")
def register_form(page: PageDep, visitor: VisitorDep, next: str | None = None) -> Response:
    if visitor:
        return page.redirect(safe_next(next))
    context = {"values": {"intent": BUY, "locale": page.locale}, "errors": {}, "next": site_path(next)}
    return page.render("accounts/register.html", context)


@router.post("/registro", name="accounts.register")
def register(request: Request, page: PageDep, form: FormDep, session: SessionDep) -> Response:
    values = text_fields(form, exclude={"password", "next"})
    # Where the visitor came from; one that is not a path of this site is dropped, never followed.
    next_url = site_path(str(form.get("next", "")))
    context = {"values": values, "next": next_url}
    try:
        data = validate(Registration, values | {"password": form.get("password", ""), "next": next_url})
        with refusable(session):
            user = service.register(session, data)
    except FormInvalid as exc:
        return page.render("accounts/register.html", context | {"errors": exc.errors}, 422)
    except EmailTaken as exc:
        return page.render("accounts/register.html", context | {"errors": {"email": exc.detail}}, 409)
    carts.merge_at_login(session, user, request.session.get("cart"))
    if data.intent == SELL:  # their organization is registered once the e-mail is confirmed
        destination = page.url("organizations.dashboard")
        message = _(
            "¡Te damos la bienvenida, {name}! Te enviamos un correo a {email}: abre su enlace para confirmar "
            "tu dirección, y después registra tu organización."
        )
    else:
        destination = service.landing(data)
        message = _(
            "¡Te damos la bienvenida, {name}! Te enviamos un correo a {email}: abre su enlace para confirmar "
            "tu dirección y podrás hacer tu pedido."
        )
    response = log_in(request, session, user, page.redirect(destination))
    flash(request, message.format(name=user.name, email=user.email))
    return response


@router.get("/entrar", name="accounts.login_form")
def login_form(page: PageDep, visitor: VisitorDep, next: str | None = None) -> Response:
    if visitor:
        return page.redirect(safe_next(next))
    return page.render("accounts/login.html", {"next": site_path(next), "email": "", "error": None})


@router.post("/entrar", name="accounts.login")
def login(
    request: Request, page: PageDep, form: FormDep, settings: SettingsDep, session: SessionDep
) -> Response:
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    came_from = site_path(str(form.get("next", "")))
    context = {"next": came_from, "email": email}
    try:
        user = service.authenticate(session, settings, email, password, client_ip(request))
    except TooManyAttempts as exc:  # the form again, saying how long to wait
        return refused(page.render("accounts/login.html", context | {"error": exc.detail}), exc)
    if user is None:
        # Rendered (not raised) so the failed attempt is committed and counts towards the limit.
        return page.render(
            "accounts/login.html", context | {"error": _("Correo o contraseña incorrectos.")}, 401
        )
    carts.merge_at_login(session, user, request.session.get("cart"))
    return log_in(request, session, user, page.redirect(safe_next(came_from)))


@router.post("/salir", name="accounts.logout")
def logout(request: Request, page: PageDep, session: SessionDep) -> Response:
    log_out(request, session)
    return page.redirect(page.url("catalog.home"))


def _access(page: PageContext, session: Session, user: User) -> dict[str, Any]:
    assert user.id is not None
    return {
        "browser_sessions": sessions.sessions_of(session, user.id),
        "current_session_id": page.request.state.browser_session_id,
        "tokens": tokens.of_user(session, user.id),
        "now": utcnow(),
    }


def _done(page: PageContext, session: Session, user: User, message: str) -> Response:
    """With htmx, the lists as they are now and what was done; without, back to the page with a message."""
    if page.is_htmx:
        return page.render("accounts/_access.html", _access(page, session, user) | {"notice": message})
    flash(page.request, message)
    return page.redirect(page.url("accounts.account"))


@router.get("/cuenta", name="accounts.account")
def account(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    return page.render("accounts/account.html", _access(page, session, user))


@router.post("/cuenta/sesiones/{session_id}/cerrar", name="accounts.end_session")
def end_session(session_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    sessions.end_session(session, user, session_id)
    return _done(page, session, user, _("Cerramos la sesión de ese dispositivo."))


@router.post("/cuenta/sesiones/cerrar-las-demas", name="accounts.end_other_sessions")
def end_other_sessions(request: Request, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    assert user.id is not None
    ended = sessions.end_all_sessions(session, user.id, keep=request.state.browser_session_id)
    message = (
        ngettext("Cerramos {n} otra sesión abierta.", "Cerramos otras {n} sesiones abiertas.", ended)
        if ended
        else _("No había otras sesiones abiertas.")
    ).format(n=ended)
    return _done(page, session, user, message)


@router.post("/cuenta/tokens/{token_id}/revocar", name="accounts.revoke_token")
def revoke_token(token_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    revoked = tokens.revoke(session, user, token_id)
    return _done(page, session, user, _("Revocamos el token «{name}».").format(name=revoked.name))


@router.get("/idioma/{code}", name="accounts.choose_language")
def choose_language(
    code: str, page: PageDep, visitor: VisitorDep, session: SessionDep, next: str | None = None
) -> Response:
    if visitor is not None:
        service.choose_language(session, visitor, code)
    home = page.url("catalog.home")
    response = page.redirect(site_path(next) or home)
    set_locale_cookie(response, code)
    return response
