"""JSON API: bearer tokens and the current user."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlmodel import Session

from market.accounts import service
from market.accounts.models import User
from market.accounts.schemas import Registration, TokenIssued, TokenRequest, UserPublic
from market.db import DbSession, transaction
from market.errors import InvalidCredentials, NotAuthenticated, json_error
from market.web import client_ip

router = APIRouter(tags=["accounts"])
# The security scheme of the OpenAPI document: only routes that require a token depend on it.
bearer = HTTPBearer(auto_error=False, description="A token from `POST /api/v1/auth/tokens`.")


def _token_user(request: Request, token: str | None) -> User | None:
    if token is None:
        return None
    # A short transaction of its own: the request's session connects only when the endpoint needs it.
    with transaction(request.app.state.engine) as session:
        user = service.user_for_token(session, token)
        if user is not None:
            session.expunge(user)
    if user is None:
        raise NotAuthenticated("El token no es válido o fue revocado.")
    return user


def api_user_optional(request: Request) -> User | None:
    """Who sent the token, if anyone did (a public read shows its members more). It reads the header itself,
    so the document marks such a route as public, not as needing a token."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    return _token_user(request, token if scheme.lower() == "bearer" and token else None)


def api_user(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> User:
    user = _token_user(request, credentials.credentials if credentials else None)
    if user is None:
        raise NotAuthenticated("Envía un token en la cabecera Authorization: Bearer <token>.")
    return user


@router.post(
    "/auth/register",
    response_model=UserPublic,
    status_code=201,
    responses={409: {"description": "An account with this e-mail exists"}},
)
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
