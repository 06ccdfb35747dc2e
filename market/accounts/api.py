"""JSON API: bearer tokens and the current user."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from market.accounts import service
from market.accounts.models import User
from market.accounts.schemas import Registration, TokenIssued, TokenRequest, UserPublic
from market.db import DbSession, transaction
from market.errors import InvalidCredentials, NotAuthenticated, json_error
from market.web import client_ip

router = APIRouter(tags=["accounts"])
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
    responses={
        401: {"description": "Wrong e-mail or password"},
        429: {"description": "Too soon after failed attempts: wait Retry-After seconds"},
    },
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
