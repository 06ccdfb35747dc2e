"""Pages to reset a forgotten password by an e-mailed link, change it while signed in, and confirm the
e-mail address (or ask for the confirmation link again)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from market.accounts import confirmation, links, passwords
from market.accounts.schemas import PasswordChange, PasswordReset, PasswordResetRequest
from market.config import Settings
from market.deps import FormDep, PageDep, SessionDep, SettingsDep, UserDep, VisitorDep
from market.errors import EmailAlreadyConfirmed, InvalidAccountLink, TooManyAttempts
from market.forms import FormInvalid, text_fields, validate
from market.i18n import N_
from market.i18n import gettext as _
from market.web import (
    PageContext,
    client_ip,
    flash,
    flash_failure,
    log_out,
    refusable,
    refused,
    safe_next,
    site_path,
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


def _link_invalid(page: PageContext, purpose: str) -> Response:
    return page.render("accounts/link_invalid.html", {"purpose": purpose}, 400)


# --- a forgotten password ---------------------------------------------------------------------------


def _forgot_page(
    page: PageContext, settings: Settings, status: int = 200, *, sent: bool = False, **context: object
) -> Response:
    minutes = settings.password_reset_minutes
    context = {"values": {}, "errors": {}, "sent": sent, "minutes": minutes} | context
    return page.render("accounts/forgot.html", context, status)


@router.get("/contrasena/olvidada", name="accounts.forgot_form")
def forgot_form(page: PageDep, settings: SettingsDep) -> Response:
    return _forgot_page(page, settings)


@router.post("/contrasena/olvidada", name="accounts.forgot")
def forgot(page: PageDep, form: FormDep, settings: SettingsDep, session: SessionDep) -> Response:
    values = text_fields(form)
    try:
        data = validate(PasswordResetRequest, values)
    except FormInvalid as exc:
        return _forgot_page(page, settings, 422, values=values, errors=exc.errors)
    passwords.request_reset(session, data.email)
    return _forgot_page(page, settings, sent=True)  # the same page whether or not the address has an account


@router.get("/contrasena/nueva/{token}", name="accounts.reset_form")
def reset_form(token: str, page: PageDep, session: SessionDep) -> Response:
    if not passwords.reset_link_works(session, token):
        return _link_invalid(page, links.PASSWORD_RESET)
    return page.render("accounts/reset.html", {"token": token, "errors": {}})


@router.post("/contrasena/nueva/{token}", name="accounts.reset")
def reset(token: str, request: Request, page: PageDep, form: FormDep, session: SessionDep) -> Response:
    if not passwords.reset_link_works(session, token):
        return _link_invalid(page, links.PASSWORD_RESET)
    errors: dict[str, str] = {}
    password = _new_password(form, errors)
    try:
        data = validate(PasswordReset, {"token": token, "password": password}, errors)
        with refusable(session):
            passwords.reset(session, data)
    except FormInvalid as exc:
        return page.render("accounts/reset.html", {"token": token, "errors": exc.errors}, 422)
    except InvalidAccountLink:  # used by another request a moment ago
        return _link_invalid(page, links.PASSWORD_RESET)
    log_out(request, session)  # whoever was signed in here enters again, with the new password
    flash(request, _("Listo: cambiamos tu contraseña. Entra con la nueva."))
    return page.redirect(page.url("accounts.login_form"))


# --- changing it, signed in ---------------------------------------------------------------------------


@router.get("/cuenta/contrasena", name="accounts.change_form")
def change_form(page: PageDep, user: UserDep) -> Response:
    return page.render("accounts/change_password.html", {"errors": {}})


@router.post("/cuenta/contrasena", name="accounts.change")
def change(
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    errors: dict[str, str] = {}
    password = _new_password(form, errors)
    current = str(form.get("current_password", ""))
    try:
        data = validate(PasswordChange, {"current_password": current, "password": password}, errors)
        changed = passwords.change(
            session,
            settings,
            user,
            data,
            client_ip(request),
            keep_session=request.state.browser_session_id,  # this browser stays signed in; the others end
        )
    except FormInvalid as exc:
        return page.render("accounts/change_password.html", {"errors": exc.errors}, 422)
    except TooManyAttempts as exc:
        return refused(page.render("accounts/change_password.html", {"errors": {}, "error": exc.detail}), exc)
    if not changed:  # rendered, not raised, so that the failed attempt is committed and counted
        wrong = {name: _(message) for name, message in passwords.WrongCurrentPassword().errors.items()}
        return page.render("accounts/change_password.html", {"errors": wrong}, 422)
    flash(request, _("Listo: cambiamos tu contraseña."))
    return page.redirect(page.url("organizations.dashboard"))


# --- confirming the e-mail ---------------------------------------------------------------------------


@router.get("/correo/confirmar/{token}", name="accounts.confirm")
def confirm(
    token: str,
    request: Request,
    page: PageDep,
    visitor: VisitorDep,
    session: SessionDep,
    next: str | None = None,
) -> Response:
    # Where the link leads on (the cart the person was filling): a path of this site, or their panel.
    onward = site_path(next) or page.url("organizations.dashboard")
    try:
        with refusable(session):
            confirmation.confirm(session, token)
    except InvalidAccountLink:
        if visitor is not None and visitor.email_confirmed:  # an old link, opened again
            flash(request, _(EmailAlreadyConfirmed.message))
            return page.redirect(onward)
        return _link_invalid(page, links.EMAIL_CONFIRMATION)
    if onward == page.url("organizations.new_organization"):
        flash(request, _("Confirmamos tu correo. ¡Gracias! Ahora registra tu organización."))
    else:
        flash(
            request,
            _("Confirmamos tu correo. ¡Gracias! Ya puedes comprar, cotizar y registrar tu organización."),
        )
    if visitor:
        return page.redirect(onward)
    return page.redirect(f"{page.url('accounts.login_form')}?next={quote(onward)}")


@router.post("/correo/reenviar", name="accounts.resend")
def resend(
    request: Request, page: PageDep, form: FormDep, user: UserDep, settings: SettingsDep, session: SessionDep
) -> Response:
    next_url = site_path(str(form.get("next", "")))
    with flash_failure(request, session, 409, 429):
        confirmation.resend(session, settings, user, next=next_url)
        flash(
            request,
            _("Te enviamos un enlace nuevo a {email}. Revisa tu correo (también la carpeta de spam).").format(
                email=user.email
            ),
        )
    return page.redirect(safe_next(next_url))
