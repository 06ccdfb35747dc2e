"""JSON API: registration, bearer tokens, the current user, passwords and e-mail confirmation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from market.accounts import confirmation, passwords, service
from market.accounts.models import User
from market.accounts.schemas import (
    EmailConfirmation,
    Notice,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    Registration,
    TokenIssued,
    TokenRequest,
    UserPublic,
)
from market.db import DbSession, transaction
from market.errors import InvalidCredentials, NotAuthenticated, json_error
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

bearer = HTTPBearer(auto_error=False)


def api_user_optional(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> User | None:
    if credentials is None:
        return None
    # A short transaction of its own: the request's session connects only when the endpoint needs it.
    with transaction(request.app.state.engine) as session:
        user = service.user_for_token(session, credentials.credentials)
        if user is not None:
            session.expunge(user)
    if user is None:
        raise NotAuthenticated("El token no es válido o fue revocado.")
    return user


def api_user(user: User | None = Depends(api_user_optional)) -> User:
    if user is None:
        raise NotAuthenticated("Envía un token en la cabecera Authorization: Bearer <token>.")
    return user


@router.post("/auth/register", response_model=UserPublic, status_code=201)
def register(data: Registration, session: Session = DbSession) -> User:
    return service.register(session, data)


@router.post(
    "/auth/tokens",
    response_model=TokenIssued,
    status_code=201,
    responses={401: {"description": "Wrong e-mail or password"}, 429: {"description": "Too many attempts"}},
)
def create_token(data: TokenRequest, request: Request, session: Session = DbSession) -> Response:
    user = service.authenticate(
        session, request.app.state.settings, data.email, data.password, client_ip(request)
    )
    if user is None:
        return json_error(InvalidCredentials())  # a normal response, so the failed attempt is committed
    token = service.issue_token(session, user, data.name)
    return JSONResponse(TokenIssued(token=token, name=data.name).model_dump(), status_code=201)


@router.delete("/auth/tokens/current", status_code=204)
def revoke_current_token(
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    user: User = Depends(api_user),
    session: Session = DbSession,
) -> Response:
    assert credentials is not None
    service.revoke_token(session, user, credentials.credentials)
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic)
def me(user: User = Depends(api_user)) -> User:
    return user


@router.post("/auth/password-reset", response_model=Notice, status_code=202)
def request_password_reset(data: PasswordResetRequest, session: Session = DbSession) -> Notice:
    """E-mails a single-use link to choose a new password, if the address has an account. The answer is the
    same either way."""
    passwords.request_reset(session, data.email)
    return Notice(detail=_(RESET_REQUESTED))


@router.post(
    "/auth/password-reset/confirm",
    response_model=Notice,
    responses={400: {"description": "The link is unknown, used or expired"}},
)
def reset_password(data: PasswordReset, session: Session = DbSession) -> Notice:
    passwords.reset(session, data)
    return Notice(detail=_(PASSWORD_CHANGED))


@router.post(
    "/auth/password",
    response_model=Notice,
    responses={422: {"description": "Wrong current password"}, 429: {"description": "Too many attempts"}},
)
def change_password(
    data: PasswordChange, request: Request, user: User = Depends(api_user), session: Session = DbSession
) -> Response:
    if not passwords.change(session, request.app.state.settings, user, data, client_ip(request)):
        return json_error(passwords.WrongCurrentPassword())  # returned, so the failed attempt is committed
    return JSONResponse(Notice(detail=_(PASSWORD_CHANGED)).model_dump())


@router.post(
    "/auth/email-confirmation",
    response_model=Notice,
    status_code=202,
    responses={409: {"description": "Already confirmed"}, 429: {"description": "One was sent moments ago"}},
)
def resend_confirmation(
    request: Request, user: User = Depends(api_user), session: Session = DbSession
) -> Notice:
    confirmation.resend(session, request.app.state.settings, user)
    return Notice(detail=_(CONFIRMATION_SENT))


@router.post(
    "/auth/email-confirmation/confirm",
    response_model=Notice,
    responses={400: {"description": "The link is unknown, used or expired"}},
)
def confirm_email(data: EmailConfirmation, session: Session = DbSession) -> Notice:
    confirmation.confirm(session, data.token)
    return Notice(detail=_(EMAIL_CONFIRMED))
