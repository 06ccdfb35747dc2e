"""What routes depend on, as types: a signature says what the route needs, and FastAPI provides it.

    @router.get("/carrito", name="orders.cart")
    def cart(page: PageDep, session: SessionDep, user: UserDep) -> Response:
        ...
        return page.render("orders/cart.html", {...})

Pages (HTML) take `PageDep` (it renders, redirects and names routes) with `VisitorDep` or `UserDep`;
the JSON API takes `ApiUserDep` or `ApiVisitorDep`. A dependency is resolved once per request, so a
route that takes both `PageDep` and `UserDep` looks the person up once."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts.bearer import api_user, api_user_optional
from market.accounts.models import User
from market.catalog.counts import PublicCounts
from market.config import Settings
from market.db import get_session
from market.impact.cache import PublicFigures
from market.payments.gateway import Gateway
from market.state import engine_of, gateway_of, impact_figures_of, listing_counts_of, search_of, settings_of
from market.web import PageContext, current_user, form_data, page_context, require_user
from search.engine import SearchEngine

T = TypeVar("T")


def on_loop(read: Callable[[Request], T]) -> Callable[[Request], Awaitable[T]]:
    """`read` as a dependency FastAPI calls on the event loop: it only reads what the app holds, and FastAPI
    sends a sync dependency to a worker thread (a hop that cost more than the read)."""

    @functools.wraps(read)
    async def dependency(request: Request) -> T:
        return read(request)

    return dependency


# Scope "function": commit (or roll back) before the response is sent, so a client that follows a
# redirect at once never reads the database from before its own change.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(on_loop(settings_of))]
EngineDep = Annotated[Engine, Depends(on_loop(engine_of))]
SearchDep = Annotated[SearchEngine, Depends(on_loop(search_of))]
GatewayDep = Annotated[Gateway | None, Depends(on_loop(gateway_of))]
ImpactFiguresDep = Annotated[PublicFigures, Depends(on_loop(impact_figures_of))]
ListingCountsDep = Annotated[PublicCounts, Depends(on_loop(listing_counts_of))]

# Pages: the signed-in person, or None for a visitor; `UserDep` sends a visitor to log in.
VisitorDep = Annotated[User | None, Depends(current_user)]
UserDep = Annotated[User, Depends(require_user)]
PageDep = Annotated[PageContext, Depends(page_context)]
FormDep = Annotated[FormData, Depends(form_data)]

# The JSON API: the holder of the bearer token (401 without one), or None when the route is public.
ApiUserDep = Annotated[User, Depends(api_user)]
ApiVisitorDep = Annotated[User | None, Depends(api_user_optional)]
