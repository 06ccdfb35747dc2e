"""Pages to register, log in and out, and choose the language."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts import service
from market.accounts.models import User
from market.accounts.schemas import Registration
from market.db import DbSession
from market.errors import EmailTaken, TooManyAttempts
from market.forms import FormInvalid, text_fields, validate
from market.i18n import gettext as _
from market.orders import cart as carts
from market.web import (
    client_ip,
    current_user,
    flash,
    form_data,
    log_in,
    redirect,
    refusable,
    render,
    safe_next,
    set_locale_cookie,
    verify_csrf,
)

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/registro")
def register_form(request: Request, user: User | None = Depends(current_user)) -> Response:
    if user:
        return redirect("/panel")
    return render(request, "accounts/register.html", {"values": {}, "errors": {}})


@router.post("/registro")
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
    response = log_in(request, user, redirect("/panel"))
    flash(
        request, _("¡Te damos la bienvenida, {name}! Ahora registra tu organización.").format(name=user.name)
    )
    return response


@router.get("/entrar")
def login_form(
    request: Request, next: str | None = None, user: User | None = Depends(current_user)
) -> Response:
    if user:
        return redirect(safe_next(next))
    return render(request, "accounts/login.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/entrar")
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
    return log_in(request, user, redirect(next_url))


@router.post("/salir")
def logout(request: Request) -> Response:
    request.session.clear()
    return redirect("/")


@router.get("/idioma/{code}")
def choose_language(code: str, request: Request, next: str | None = None) -> Response:
    response = redirect(next if next and next.startswith("/") and not next.startswith("//") else "/")
    set_locale_cookie(response, code)
    return response
