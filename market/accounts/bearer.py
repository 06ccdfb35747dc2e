"""Who an API request comes from: the person holding the bearer token it sends."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlmodel import Session

from market.accounts import tokens
from market.accounts.models import User
from market.db import get_session
from market.errors import NotAuthenticated

# The security scheme of the OpenAPI document: only routes that require a token depend on it.
bearer = HTTPBearer(auto_error=False, description="A token from `POST /api/v1/auth/tokens`.")


def _token_user(request: Request, session: Session, token: str | None) -> User | None:
    """The token's holder, read in the request's own transaction: one connection per request, and the
    person is a row of the session its services find again without a query (an order's buyer)."""
    if token is None:
        return None
    found = tokens.holder(session, token)
    if found is None:
        raise NotAuthenticated("El token no es válido o fue revocado.")
    api_token, user = found
    tokens.note_use(session, api_token)
    request.state.api_token_id = api_token.id
    return user


RequestSession = Annotated[Session, Depends(get_session, scope="function")]  # market.deps.SessionDep


def api_user_optional(request: Request, session: RequestSession) -> User | None:
    """Who sent the token, if anyone did (a public read shows its members more). It reads the header itself,
    so the document marks such a route as public, not as needing a token."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    return _token_user(request, session, token if scheme.lower() == "bearer" and token else None)


def api_user(
    request: Request,
    session: RequestSession,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> User:
    user = _token_user(request, session, credentials.credentials if credentials else None)
    if user is None:
        raise NotAuthenticated("Envía un token en la cabecera Authorization: Bearer <token>.")
    return user
