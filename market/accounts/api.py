"""JSON API: registration, bearer tokens, the current user, passwords and e-mail confirmation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from market.accounts import confirmation, passwords, service, tokens
from market.accounts.models import User
from market.accounts.schemas import (
    EmailConfirmation,
    Notice,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    Registration,
    RegistrationPublic,
    TokenIssued,
    TokenPublic,
    TokenRequest,
    UserPublic,
)
from market.bounds import Id
from market.deps import ApiUserDep, SessionDep, SettingsDep
from market.errors import InvalidCredentials, json_error
from market.i18n import N_
from market.i18n import gettext as _
from market.web import client_ip

router = APIRouter(tags=["accounts"])
# The answer to a reset request, whether or not the address has an account.
RESET_REQUESTED = N_(
    "Si hay una cuenta con ese correo, te enviamos un enlace para elegir una contraseña nueva."
)
PASSWORD_CHANGED = N_("Listo: cambiamos tu contraseña.")
CONFIRMATION_SENT = N_("Te enviamos un enlace para confirmar tu correo.")
EMAIL_CONFIRMED = N_("Confirmamos tu correo. ¡Gracias!")


@router.post(
    "/auth/register",
    response_model=RegistrationPublic,
    status_code=201,
    responses={409: {"description": "An account with this e-mail exists"}},
)
def register(data: Registration, session: SessionDep) -> RegistrationPublic:
    """`intent` says why the account is opened (`buy`, the default, or `sell` for a producer organization);
    `next`, a path of this site, is where a buyer returns (the confirmation e-mail's link leads there too).
    The answer's `next` is where to take the person now."""
    user = service.register(session, data)
    return RegistrationPublic(**UserPublic.model_validate(user).model_dump(), next=service.landing(data))


@router.post(
    "/auth/tokens",
    response_model=TokenIssued,
    status_code=201,
    responses={
        401: {"description": "Wrong e-mail or password"},
        429: {"description": "Too soon after failed attempts: wait Retry-After seconds"},
    },
)
def create_token(
    data: TokenRequest, request: Request, settings: SettingsDep, session: SessionDep
) -> Response:
    lifetime = tokens.lifetime(
        settings, data.expires_in_days
    )  # before the password: a refusal counts nothing
    user = service.authenticate(session, settings, data.email, data.password, client_ip(request))
    if user is None:
        return json_error(InvalidCredentials())  # a normal response, so the failed attempt is committed
    api_token, token = tokens.issue(session, user, data.name, lifetime)
    assert api_token.id is not None
    issued = TokenIssued(id=api_token.id, token=token, name=api_token.name, expires_at=api_token.expires_at)
    return JSONResponse(issued.model_dump(mode="json"), status_code=201)


@router.get("/auth/tokens", response_model=list[TokenPublic])
def list_tokens(request: Request, user: ApiUserDep, session: SessionDep) -> list[TokenPublic]:
    """The caller's own tokens, newest first; `current` marks the one this request was sent with."""
    assert user.id is not None
    return [
        TokenPublic.model_validate(token).model_copy(
            update={"current": token.id == request.state.api_token_id}
        )
        for token in tokens.of_user(session, user.id)
    ]


@router.delete("/auth/tokens/current", status_code=204)
def revoke_current_token(request: Request, user: ApiUserDep, session: SessionDep) -> Response:
    tokens.revoke(session, user, request.state.api_token_id)
    return Response(status_code=204)


@router.delete("/auth/tokens/{token_id}", status_code=204, responses={404: {"description": "No such token"}})
def revoke_token(token_id: Id, user: ApiUserDep, session: SessionDep) -> Response:
    tokens.revoke(session, user, token_id)
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic)
def me(user: ApiUserDep) -> User:
    return user


@router.post("/auth/password-reset", response_model=Notice, status_code=202)
def request_password_reset(data: PasswordResetRequest, session: SessionDep) -> Notice:
    """E-mails a single-use link to choose a new password, if the address has an account. The answer is the
    same either way."""
    passwords.request_reset(session, data.email)
    return Notice(detail=_(RESET_REQUESTED))


@router.post(
    "/auth/password-reset/confirm",
    response_model=Notice,
    responses={400: {"description": "The link is unknown, used or expired"}},
)
def reset_password(data: PasswordReset, session: SessionDep) -> Notice:
    passwords.reset(session, data)
    return Notice(detail=_(PASSWORD_CHANGED))


@router.post(
    "/auth/password",
    response_model=Notice,
    responses={422: {"description": "Wrong current password"}, 429: {"description": "Too many attempts"}},
)
def change_password(
    data: PasswordChange, request: Request, user: ApiUserDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Every browser signed in as the person is signed out, and every API token but this one is revoked."""
    ip = client_ip(request)
    if not passwords.change(session, settings, user, data, ip, keep_token=request.state.api_token_id):
        return json_error(passwords.WrongCurrentPassword())  # returned, so the failed attempt is committed
    return JSONResponse(Notice(detail=_(PASSWORD_CHANGED)).model_dump())


@router.post(
    "/auth/email-confirmation",
    response_model=Notice,
    status_code=202,
    responses={409: {"description": "Already confirmed"}, 429: {"description": "One was sent moments ago"}},
)
def resend_confirmation(user: ApiUserDep, settings: SettingsDep, session: SessionDep) -> Notice:
    confirmation.resend(session, settings, user)
    return Notice(detail=_(CONFIRMATION_SENT))


@router.post(
    "/auth/email-confirmation/confirm",
    response_model=Notice,
    responses={400: {"description": "The link is unknown, used or expired"}},
)
def confirm_email(data: EmailConfirmation, session: SessionDep) -> Notice:
    confirmation.confirm(session, data.token)
    return Notice(detail=_(EMAIL_CONFIRMED))
