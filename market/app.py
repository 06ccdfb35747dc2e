"""Application factory: routers, templates, static files, sessions, error mapping."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from market import health, media_serving, metrics, openapi
from market.accounts import api as accounts_api
from market.accounts import credential_views
from market.accounts import views as accounts_views
from market.accounts.models import User
from market.admin import api as admin_api
from market.admin import audit_views as admin_audit_views
from market.admin import mailbox_views as admin_mailbox_views
from market.admin import people_views as admin_people_views
from market.admin import views as admin_views
from market.assets import StaticAssets, VersionedStaticFiles
from market.catalog import api as catalog_api
from market.catalog import search_api, search_views
from market.catalog import views as catalog_views
from market.catalog.counts import PublicCounts
from market.catalog.search_index import engine_for
from market.catalog.service import MAX_PHOTOS
from market.compression import Compression
from market.config import Settings
from market.db import make_engine
from market.disputes import api as disputes_api
from market.disputes import views as disputes_views
from market.documents import admin_views as documents_admin_views
from market.documents import api as documents_api
from market.documents import files as document_files
from market.documents import views as documents_views
from market.errors import MarketError, NotAuthenticated, NotFound, json_error
from market.i18n import N_
from market.i18n import gettext as _
from market.impact import api as impact_api
from market.impact import views as impact_views
from market.impact.cache import PublicFigures
from market.invoicing import views as invoicing_views
from market.linking import api as linking_api
from market.linking import institution_views as linking_institution_views
from market.linking import member_views as linking_member_views
from market.linking import schedule_api as linking_schedule_api
from market.linking import schedule_views as linking_schedule_views
from market.linking import views as linking_views
from market.mail import api as mail_api
from market.mail import views as mail_views
from market.metrics import Metrics, RequestObserver
from market.orders import api as orders_api
from market.orders import views as orders_views
from market.organizations import analytics_views as organizations_analytics_views
from market.organizations import api as organizations_api
from market.organizations import fiscal_api as organizations_fiscal_api
from market.organizations import fiscal_views as organizations_fiscal_views
from market.organizations import member_views as organizations_member_views
from market.organizations import views as organizations_views
from market.payments import admin_views as payments_admin_views
from market.payments import api as payments_api
from market.payments import connect_api as payments_connect_api
from market.payments import connect_views as payments_connect_views
from market.payments import dispersion_api, dispersion_views, webhooks
from market.payments import views as payments_views
from market.payments.gateway import gateway_for
from market.reviews import api as reviews_api
from market.reviews import views as reviews_views
from market.serving import HeadAsGet, RequestLimit
from market.storage import storage_for
from market.validation import reject_nul_bytes, request_errors
from market.web import (
    BodySizeLimit,
    LocaleMiddleware,
    PageContext,
    SecurityHeaders,
    current_user,
    login_redirect,
)
from search.engine import SearchUnavailable

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


# The modules of the HTML pages, in the order their routes are matched (market/urls.py names their paths).
PAGES = (
    accounts_views,
    credential_views,
    organizations_views,
    organizations_analytics_views,
    organizations_fiscal_views,
    organizations_member_views,
    documents_views,
    documents_admin_views,
    catalog_views,
    search_views,
    orders_views,
    invoicing_views,
    payments_views,
    payments_connect_views,
    payments_admin_views,
    dispersion_views,
    admin_views,
    admin_audit_views,
    admin_people_views,
    admin_mailbox_views,
    linking_views,
    linking_institution_views,
    linking_schedule_views,
    linking_member_views,
    disputes_views,
    reviews_views,
    impact_views,
    mail_views,
)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/healthz", "/webhooks/"))


async def _error_page(
    request: Request, status: int, title: str, detail: str, fields: dict[str, str] | None = None
) -> Response:
    """The error as a page, or as a message for htmx to swap in, shown to whoever the browser has signed in
    (their header and menu): as the route found them, or looked up now for an address no route answers."""
    page = PageContext(request, await _viewer(request))
    template = "partials/error.html" if page.is_htmx else "errors/error.html"
    context = {"status": status, "title": title, "detail": detail, "fields": fields or {}}
    response = page.render(template, context, status)
    if page.is_htmx:  # the refusal goes where the page shows its notices, not in place of what was clicked
        response.headers.update({"HX-Retarget": "#avisos", "HX-Reswap": "innerHTML"})
    return response


async def _viewer(request: Request) -> User | None:
    if hasattr(request.state, "user"):  # the route's own dependency looked
        return request.state.user
    if "session" not in request.scope:  # an error outside the session middleware: no cookie was read
        return None
    try:
        return await anyio.to_thread.run_sync(current_user, request)  # a query: off the event loop
    except Exception:  # the database is what failed: the page still renders, to a visitor
        log.warning("error page shown without its viewer", exc_info=True)
        return None


async def handle_market_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MarketError)
    if _wants_json(request):
        return json_error(exc)
    if isinstance(exc, NotAuthenticated):
        return login_redirect(request)
    fields = exc.body().get("fields")  # a validation error says which field is wrong, and why
    response = await _error_page(request, exc.status_code, _("No se pudo completar"), exc.detail, fields)
    response.headers.update(exc.headers)
    return response


async def handle_request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if any(err["loc"][:1] == ("path",) for err in exc.errors()):  # an id past its range names nothing
        return await handle_market_error(request, NotFound())
    fields = request_errors(exc)
    if _wants_json(request):
        return JSONResponse(
            {"error": "validation_error", "detail": _("Revisa los datos marcados."), "fields": fields},
            status_code=422,
        )
    return await _error_page(request, 422, _("Datos no válidos"), _("Revisa los datos marcados."), fields)


# What the framework's own refusals say, in the person's language (its texts are English).
HTTP_MESSAGES = {
    404: N_("No encontramos lo que buscas."),
    405: N_("Esta dirección no acepta esa acción."),
}
UNREADABLE = N_("No pudimos leer lo que enviaste: revisa los datos y vuelve a intentarlo.")


HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


async def handle_http_error(request: Request, exc: Exception) -> Response:
    """An unknown address or a method it does not take: the API's error body, or the error page, in the
    person's language; a 405 says which methods the address takes (Allow) on either face."""
    assert isinstance(exc, StarletteHTTPException)
    detail = _(HTTP_MESSAGES.get(exc.status_code, UNREADABLE))
    if _wants_json(request):
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(
            {"error": code, "detail": detail}, status_code=exc.status_code, headers=exc.headers
        )
    title = _("Página no encontrada") if exc.status_code == 404 else _("No se pudo completar")
    response = await _error_page(request, exc.status_code, title, detail)
    response.headers.update(exc.headers or {})
    return response


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    detail = _("Algo salió mal de nuestro lado. Nada se guardó; inténtalo de nuevo en un momento.")
    if _wants_json(request):
        return JSONResponse({"error": "internal_error", "detail": detail}, status_code=500)
    return await _error_page(request, 500, _("Algo salió mal"), detail)


def services(settings: Settings, engine: Engine) -> dict[str, Any]:
    """What the app's requests use besides the database's connections, made from its settings: the app keeps
    them in `app.state`, where the requests, the lifespan and the metrics middleware look them up (so the
    tests can give one app fresh services for each test instead of building its routes again)."""
    return {
        "settings": settings,
        "search": engine_for(settings),
        "gateway": gateway_for(settings),
        "impact_figures": PublicFigures(settings.impact_max_age_seconds),
        "listing_counts": PublicCounts(settings.catalog_count_max_age_seconds),
        "metrics": Metrics(engine),
    }


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings, search = app.state.settings, app.state.search
    # More threads than requests in flight (see Settings.max_concurrent_requests).
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.max_concurrent_requests + 10
    try:
        search.ensure_ready()
    except SearchUnavailable as exc:  # pages degrade; the worker retries until the engine is back
        log.warning("search engine not ready at start-up: %s", exc)
    yield
    app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="Tianguis Solidario",
        version="0.1.0",
        description="API del mercado de la economía social y solidaria de México.",
        lifespan=lifespan,
        dependencies=[Depends(reject_nul_bytes)],
    )
    app.state.engine = make_engine(
        settings.database_url, settings.database_pool_size, settings.database_max_overflow
    )
    for name, service in services(settings, app.state.engine).items():
        setattr(app.state, name, service)

    # Inside the session (its error page needs it). Room for one photo and the rest of its form; the
    # new-listing form, for as many photos as a listing takes (each file is checked on its own after).
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_upload_bytes + 2**20,
        respond=handle_market_error,
        larger=[
            (catalog_views.NEW_LISTING_PATH, MAX_PHOTOS * settings.max_upload_bytes + 2**20),
            *((path, document_files.MAX_BYTES + 2**20) for path in document_files.UPLOAD_PATHS),
        ],
    )
    # The signed cookie carries the cart, messages, the CSRF token and the secret naming the browser's
    # server-side session, which alone says who is signed in (market/accounts/sessions.py).
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="ts_session",
        max_age=settings.session_days * 24 * 3600,
        same_site="lax",
        https_only=settings.is_production,
    )
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(SecurityHeaders)
    # Inside HeadAsGet, so a HEAD says the Content-Length a GET would send.
    app.add_middleware(Compression)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RequestLimit, limit=settings.max_concurrent_requests)
    app.add_middleware(RequestObserver)  # outermost: it times everything

    app.add_exception_handler(MarketError, handle_market_error)
    app.add_exception_handler(RequestValidationError, handle_request_validation)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(Exception, handle_unexpected)

    app.state.static_assets = assets = StaticAssets(STATIC_DIR)  # each file's hash, read once
    app.mount("/static", VersionedStaticFiles(assets), name="static")
    storage_for(settings)  # a bucket's client made now, not by the first requests at once
    app.include_router(media_serving.router)

    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(webhooks.router)
    for module in (
        accounts_api,
        organizations_api,
        organizations_fiscal_api,
        documents_api,
        catalog_api,
        search_api,
        orders_api,
        payments_api,
        payments_connect_api,
        dispersion_api,
        linking_api,
        linking_schedule_api,
        disputes_api,
        reviews_api,
        admin_api,
        impact_api,
        mail_api,
    ):
        app.include_router(module.router, prefix="/api/v1")
    for module in PAGES:
        app.include_router(module.router)
    app.openapi = lambda: openapi.build(app)  # type: ignore[method-assign]
    return app
