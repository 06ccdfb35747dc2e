"""What the application holds for its lifetime (set once by `create_app`), read with its type.

Routes declare these through `market.deps`; code that has only the request (middleware, error
handlers, helpers of `market.web`) reads them here, never from `request.app.state` itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from fastapi import Request

if TYPE_CHECKING:  # the types only: this module is imported by everything that serves a request
    from sqlalchemy.engine import Engine

    from market.catalog.counts import PublicCounts
    from market.config import Settings
    from market.impact.cache import PublicFigures
    from market.metrics import Metrics
    from market.payments.gateway import Gateway
    from search.engine import SearchEngine


def settings_of(request: Request) -> Settings:
    return cast("Settings", request.app.state.settings)


def engine_of(request: Request) -> Engine:
    return cast("Engine", request.app.state.engine)


def search_of(request: Request) -> SearchEngine:
    return cast("SearchEngine", request.app.state.search)


def gateway_of(request: Request) -> Gateway | None:
    """The card and OXXO/SPEI payment provider; None when only offline methods are configured."""
    return cast("Gateway | None", request.app.state.gateway)


def impact_figures_of(request: Request) -> PublicFigures:
    return cast("PublicFigures", request.app.state.impact_figures)


def listing_counts_of(request: Request) -> PublicCounts:
    return cast("PublicCounts", request.app.state.listing_counts)


def metrics_of(request: Request) -> Metrics:
    return cast("Metrics", request.app.state.metrics)
