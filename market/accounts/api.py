"""JSON API: bearer tokens and the current user."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from market.accounts import service, tokens
from market.accounts.models import User
from market.accounts.schemas import Registration, TokenIssued, TokenPublic, TokenRequest, UserPublic
from market.bounds import Id
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
        found = tokens.holder(session, credentials.credentials)
        if found is not None:
            session.expunge(found[1])
    if found is None:
        raise NotAuthenticated("El token no es válido o fue revocado.")
    api_token, user = found
    request.state.api_token_id = api_token.id
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
    settings = request.app.state.settings
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
def list_tokens(
    request: Request, user: User = Depends(api_user), session: Session = DbSession
) -> list[TokenPublic]:
    """The caller's own tokens, newest first; `current` marks the one this request was sent with."""
    assert user.id is not None
    return [
        TokenPublic.model_validate(token).model_copy(
            update={"current": token.id == request.state.api_token_id}
        )
        for token in tokens.of_user(session, user.id)
    ]


@router.delete("/auth/tokens/current", status_code=204)
def revoke_current_token(
    request: Request, user: User = Depends(api_user), session: Session = DbSession
) -> Response:
    tokens.revoke(session, user, request.state.api_token_id)
    return Response(status_code=204)


@router.delete("/auth/tokens/{token_id}", status_code=204, responses={404: {"description": "No such token"}})
def revoke_token(token_id: Id, user: User = Depends(api_user), session: Session = DbSession) -> Response:
    tokens.revoke(session, user, token_id)
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic)
def me(user: User = Depends(api_user)) -> User:
    return user
