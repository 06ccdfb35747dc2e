"""Who an API request comes from: the person holding the bearer token it sends."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from market.accounts import tokens
from market.accounts.models import User
from market.db import transaction
from market.errors import NotAuthenticated
from market.state import engine_of

# The security scheme of the OpenAPI document: only routes that require a token depend on it.
bearer = HTTPBearer(auto_error=False, description="A token from `POST /api/v1/auth/tokens`.")


def _token_user(request: Request, token: str | None) -> User | None:
    if token is None:
        return None
    # A short transaction of its own: the request's session connects only when the endpoint needs it.
    with transaction(engine_of(request)) as session:
        found = tokens.holder(session, token)
        if found is not None:
            session.expunge(found[1])
    if found is None:
        raise NotAuthenticated("El token no es válido o fue revocado.")
    api_token, user = found
    request.state.api_token_id = api_token.id
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
