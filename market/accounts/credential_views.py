"""Pages to reset a forgotten password by an e-mailed link, change it while signed in, and confirm the
e-mail address (or ask for the confirmation link again)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts import confirmation, links, passwords
from market.accounts.models import User
from market.accounts.schemas import PasswordChange, PasswordReset, PasswordResetRequest
from market.db import DbSession
from market.errors import EmailAlreadyConfirmed, InvalidAccountLink, TooManyAttempts
from market.forms import FormInvalid, text_fields, validate
from market.i18n import N_
from market.i18n import gettext as _
from market.web import (
    client_ip,
    current_user,
    flash,
    flash_failure,
    form_data,
    log_out,
    redirect,
    refusable,
    render,
    require_user,
    safe_next,
    verify_csrf,
)

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
MISMATCH = N_("Las dos contraseñas no coinciden.")


def _new_password(form: FormData, errors: dict[str, str]) -> str:
    """The new password typed twice; a difference is an error of the second field."""
    password, again = str(form.get("password", "")), str(form.get("password_confirm", ""))
    if password and again != password:
        errors["password_confirm"] = _(MISMATCH)
    return password


def _link_invalid(request: Request, user: User | None, purpose: str) -> Response:
    return render(request, "accounts/link_invalid.html", {"purpose": purpose}, 400, user)


# --- a forgotten password ---------------------------------------------------------------------------


def _forgot_page(
    request: Request, user: User | None, status: int = 200, *, sent: bool = False, **context: object
) -> Response:
    minutes = request.app.state.settings.password_reset_minutes
    context = {"values": {}, "errors": {}, "sent": sent, "minutes": minutes} | context
    return render(request, "accounts/forgot.html", context, status, user)


@router.get("/contrasena/olvidada", name="accounts.forgot_form")
def forgot_form(request: Request, user: User | None = Depends(current_user)) -> Response:
    return _forgot_page(request, user)


@router.post("/contrasena/olvidada", name="accounts.forgot")
def forgot(
    request: Request,
    form: FormData = Depends(form_data),
    user: User | None = Depends(current_user),
    session: Session = DbSession,
) -> Response:
    values = text_fields(form)
    try:
        data = validate(PasswordResetRequest, values)
    except FormInvalid as exc:
        return _forgot_page(request, user, 422, values=values, errors=exc.errors)
    passwords.request_reset(session, data.email)
    return _forgot_page(request, user, sent=True)  # the same page whether or not the address has an account


@router.get("/contrasena/nueva/{token}", name="accounts.reset_form")
def reset_form(
    token: str, request: Request, user: User | None = Depends(current_user), session: Session = DbSession
) -> Response:
    if not passwords.reset_link_works(session, token):
        return _link_invalid(request, user, links.PASSWORD_RESET)
    return render(request, "accounts/reset.html", {"token": token, "errors": {}}, user=user)


@router.post("/contrasena/nueva/{token}", name="accounts.reset")
def reset(
    token: str,
    request: Request,
    form: FormData = Depends(form_data),
    user: User | None = Depends(current_user),
    session: Session = DbSession,
) -> Response:
    if not passwords.reset_link_works(session, token):
        return _link_invalid(request, user, links.PASSWORD_RESET)
    errors: dict[str, str] = {}
    password = _new_password(form, errors)
    try:
        data = validate(PasswordReset, {"token": token, "password": password}, errors)
        with refusable(session):
            passwords.reset(session, data)
    except FormInvalid as exc:
        return render(request, "accounts/reset.html", {"token": token, "errors": exc.errors}, 422, user)
    except InvalidAccountLink:  # used by another request a moment ago
        return _link_invalid(request, user, links.PASSWORD_RESET)
    log_out(request, session)  # whoever was signed in here enters again, with the new password
    flash(request, _("Listo: cambiamos tu contraseña. Entra con la nueva."))
    return redirect("/entrar")


# --- changing it, signed in ---------------------------------------------------------------------------


@router.get("/cuenta/contrasena", name="accounts.change_form")
def change_form(request: Request, user: User = Depends(require_user)) -> Response:
    return render(request, "accounts/change_password.html", {"errors": {}}, user=user)


@router.post("/cuenta/contrasena", name="accounts.change")
def change(
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    errors: dict[str, str] = {}
    password = _new_password(form, errors)
    current = str(form.get("current_password", ""))
    try:
        data = validate(PasswordChange, {"current_password": current, "password": password}, errors)
        changed = passwords.change(
            session,
            request.app.state.settings,
            user,
            data,
            client_ip(request),
            keep_session=request.state.browser_session_id,  # this browser stays signed in; the others end
        )
    except FormInvalid as exc:
        return render(request, "accounts/change_password.html", {"errors": exc.errors}, 422, user)
    except TooManyAttempts as exc:
        context = {"errors": {}, "error": exc.detail}
        response = render(request, "accounts/change_password.html", context, 429, user)
        response.headers.update(exc.headers)
        return response
    if not changed:  # rendered, not raised, so that the failed attempt is committed and counted
        wrong = {name: _(message) for name, message in passwords.WrongCurrentPassword().errors.items()}
        return render(request, "accounts/change_password.html", {"errors": wrong}, 422, user)
    flash(request, _("Listo: cambiamos tu contraseña."))
    return redirect("/panel")


# --- confirming the e-mail ---------------------------------------------------------------------------


@router.get("/correo/confirmar/{token}", name="accounts.confirm")
def confirm(
    token: str, request: Request, user: User | None = Depends(current_user), session: Session = DbSession
) -> Response:
    try:
        with refusable(session):
            confirmation.confirm(session, token)
    except InvalidAccountLink:
        if user is not None and user.email_confirmed:  # an old link, opened again
            flash(request, _(EmailAlreadyConfirmed.message))
            return redirect("/panel")
        return _link_invalid(request, user, links.EMAIL_CONFIRMATION)
    flash(
        request, _("Confirmamos tu correo. ¡Gracias! Ya puedes comprar, cotizar y registrar tu organización.")
    )
    return redirect("/panel" if user else "/entrar?next=/panel")


@router.post("/correo/reenviar", name="accounts.resend")
def resend(
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    with flash_failure(request, session, 409, 429):
        confirmation.resend(session, request.app.state.settings, user)
        flash(
            request,
            _("Te enviamos un enlace nuevo a {email}. Revisa tu correo (también la carpeta de spam).").format(
                email=user.email
            ),
        )
    return redirect(safe_next(str(form.get("next", ""))))
