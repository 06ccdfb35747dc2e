"""What every HTML route shares: templates, the signed-in user, CSRF, flash messages, locale."""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from market import i18n
from market.accounts import sessions
from market.accounts.models import User
from market.assets import static_url
from market.catalog.models import ListingStatus
from market.catalog.taxonomy import CATEGORIES, CATEGORIES_BY_SLUG, DELIVERY_LABELS, LISTING_KINDS, UNITS
from market.catalog.units import quantity_text
from market.db import transaction
from market.disputes.models import DisputeStatus
from market.documents.checklist import CertificationState
from market.documents.models import DocumentKind, DocumentStatus
from market.errors import CsrfFailed, MarketError, NotAuthenticated, RequestTooLarge
from market.invoicing.models import CANCEL_BY_OWNER, CANCEL_MOTIVES, InvoiceKind, InvoiceStatus
from market.ledger.service import KIND_LABELS
from market.linking.models import CallOffStatus, DemandStatus, QuoteStatus, ScheduleStatus
from market.media import media_url
from market.mexico import (
    CERTIFICATION_GROUPS,
    CERTIFICATIONS,
    LEGAL_FORM_GROUPS,
    LEGAL_FORMS,
    SDGS,
    STATES,
    grouped,
    local_date,
    local_time,
    state_name,
)
from market.money import cents_to_pesos_text, format_mxn
from market.orders.models import FulfillmentStatus, OrderStatus, status_label
from market.orders.queries import STEP_LABELS
from market.organizations.models import VerificationStatus
from market.payments.methods import METHOD_LABELS
from market.state import engine_of, settings_of
from market.urls import is_site_path, path_for

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
LOCALE_COOKIE = "lang"
CSRF_FIELD = "csrf_token"
SESSION_KEY = "session"  # the secret naming the browser's server-side session
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True, extensions=["jinja2.ext.i18n"]
)
_env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
templates = Jinja2Templates(env=_env)
templates.env.filters["mxn"] = lambda cents: format_mxn(cents, i18n.current_locale.get())
templates.env.filters["pesos"] = cents_to_pesos_text
templates.env.filters["state_name"] = state_name
templates.env.filters["media"] = media_url
templates.env.filters["when"] = local_time
templates.env.filters["day"] = local_date
templates.env.filters["quantity"] = quantity_text  # {{ 5 | quantity("pieza") }} -> "5 piezas"
templates.env.globals.update(
    CATEGORIES=CATEGORIES,
    CATEGORIES_BY_SLUG=CATEGORIES_BY_SLUG,
    CATEGORY_OPTIONS=[(c.slug, c.name) for c in CATEGORIES],
    CATEGORY_LABELS={c.slug: c.name for c in CATEGORIES},
    STATE_LABELS={s.inegi: s.name for s in STATES},
    DELIVERY_LABELS=DELIVERY_LABELS,
    LISTING_KINDS=LISTING_KINDS,
    ORDER_STATUS_LABELS=OrderStatus.labels(),
    FULFILLMENT_STATUS_LABELS=FulfillmentStatus.labels(),
    STEP_LABELS=STEP_LABELS,
    PART_STATUS=status_label,
    LEDGER_KINDS=KIND_LABELS,
    PAYMENT_METHOD_LABELS=METHOD_LABELS,
    STATES=STATES,
    STATE_OPTIONS=[(s.inegi, s.name) for s in STATES],
    LEGAL_FORMS=LEGAL_FORMS,
    CERTIFICATIONS=CERTIFICATIONS,
    LEGAL_FORM_OPTIONS=grouped(LEGAL_FORMS, LEGAL_FORM_GROUPS),
    CERTIFICATION_OPTIONS=grouped(CERTIFICATIONS, CERTIFICATION_GROUPS),
    SDGS=SDGS,
    UNITS=UNITS,
    STATUS_LABELS=ListingStatus.labels(),
    LOCALES=i18n.LOCALES,
    CANCEL_MOTIVES=CANCEL_MOTIVES,
    CANCEL_BY_OWNER=CANCEL_BY_OWNER,
)
# Statuses by name, so a template compares members (`order.status == OrderStatus.INVOICED`), never strings.
STATUSES = (
    OrderStatus,
    FulfillmentStatus,
    ListingStatus,
    VerificationStatus,
    DemandStatus,
    QuoteStatus,
    ScheduleStatus,
    CallOffStatus,
    DisputeStatus,
    InvoiceStatus,
    InvoiceKind,
    CertificationState,
    DocumentKind,
    DocumentStatus,
)
templates.env.globals.update({status.__name__: status for status in STATUSES})


class LocaleMiddleware:
    """Sets the interface language: the visitor's choice (cookie); otherwise Spanish on pages, and
    Accept-Language for API clients, which ask for a language explicitly."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        chosen = request.cookies.get(LOCALE_COOKIE)
        if chosen in i18n.LOCALES:
            locale = chosen
        elif scope["path"].startswith("/api/"):
            locale = i18n.negotiate(request.headers.get("accept-language"))
        else:
            locale = i18n.DEFAULT_LOCALE
        token = i18n.current_locale.set(locale)
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_locale.reset(token)


# Scripts and styles only from this site (Stripe's for card payments): no inline script can run, so
# an injected one cannot either. The API documentation pages load their own from a CDN, inline.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' https://js.stripe.com",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self' https://api.stripe.com",
        "frame-src 'self' https://js.stripe.com https://hooks.stripe.com",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    )
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders:
    """Every response says: do not guess content types, never show this site in a frame, send only the
    origin to other sites, and run only this site's scripts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = list(SECURITY_HEADERS)
        if not scope["path"].startswith(DOCS_PATHS):
            headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = {name.lower() for name, _value in message.get("headers", [])}
                extra = [(name, value) for name, value in headers if name not in own]  # its own policy wins
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimit:
    """Refuses a request body over `max_bytes` before it is spooled to disk: at once by its declared
    Content-Length; a body sent without one is read up to the limit first. `respond` renders the error
    (JSON or page) as the application's own handler does."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        respond: Callable[[Request, Exception], Awaitable[Response]],
        larger: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        """`larger`: the paths (a POST's) that take more than `max_bytes`, and how much."""
        self.app, self.max_bytes, self.respond, self.larger = app, max_bytes, respond, larger

    def _limit(self, scope: Scope) -> int:
        if scope["method"] == "POST":
            for path, max_bytes in self.larger:
                if path.fullmatch(scope["path"]):
                    return max_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit():
            if int(declared) > limit:
                await self._refuse(scope, receive, send, limit)
                return
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await self._refuse(scope, receive, send, limit)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = await self.respond(Request(scope, receive), RequestTooLarge(mb=limit // 2**20))
        await response(scope, receive, send)


def current_user(request: Request) -> User | None:
    """The person the browser's server-side session signs in. A cookie whose session ended or expired is
    no session: the visitor is anonymous and the cookie is cleared."""
    secret = request.session.get(SESSION_KEY)
    if secret is None:
        return None
    # A short transaction of its own: the request's session connects only when the endpoint needs it.
    with transaction(engine_of(request)) as session:
        found = sessions.signed_in(session, settings_of(request), str(secret), client_ip(request))
        if found is not None:
            # Detached, so it stays readable after a rollback (error pages render it); services use its id.
            session.expunge(found[1])
    if found is None:
        request.session.clear()
        return None
    browser_session, user = found
    request.state.user = user
    request.state.browser_session_id = browser_session.id
    return user


async def require_user(user: User | None = Depends(current_user)) -> User:  # async: no worker thread
    if user is None:
        raise NotAuthenticated()
    return user


def log_in(request: Request, session: Session, user: User, response: Response) -> Response:
    """Start a fresh session (a new server-side row, cookie and CSRF token; the browser's previous session
    ends, so its old cookie signs no one in) and switch the interface to the person's language."""
    log_out(request, session)
    request.session[SESSION_KEY] = sessions.start_session(
        session, settings_of(request), user, client_ip(request), request.headers.get("user-agent", "")
    )
    set_locale_cookie(response, user.locale)
    return response


def log_out(request: Request, session: Session) -> None:
    """End the browser's session on the server (a copy of its cookie opens nothing) and clear the cookie."""
    secret = request.session.get(SESSION_KEY)
    if secret is not None:
        sessions.end_by_secret(session, str(secret))
    request.session.clear()


def set_locale_cookie(response: Response, locale: str) -> None:
    if locale in i18n.LOCALES:
        response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True)


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(token)


async def verify_csrf(request: Request) -> None:
    """Router dependency for every HTML route: unsafe methods must echo the session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent_value = (await request.form()).get(CSRF_FIELD)
        sent = sent_value if isinstance(sent_value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise CsrfFailed()


async def form_data(request: Request) -> FormData:
    """The parsed form, read once (Starlette caches it), so sync routes can use it."""
    return await request.form()


def flash(request: Request, message: str, kind: str = "success") -> None:
    # Reassigned, not appended in place: the session only saves what is set on it.
    request.session["flash"] = [*request.session.get("flash", []), {"message": message, "kind": kind}]


@contextmanager
def refusable(session: Session) -> Iterator[None]:
    """The one way a page runs a service call it may turn into a message: the call runs in a savepoint,
    so a refusal undoes whatever the call wrote before refusing, and the request's commit keeps only
    what succeeded."""
    with session.begin_nested():
        yield


@contextmanager
def flash_failure(request: Request, session: Session, *statuses: int) -> Iterator[None]:
    """Show an expected refusal of a form action (bad upload, duplicate invitation) as an error message
    on the page the person returns to, with nothing of the action kept; anything else goes to the error
    handler."""
    try:
        with refusable(session):
            yield
    except MarketError as exc:
        if exc.status_code not in statuses:
            raise
        fields = exc.body().get("fields")  # a validation error says which field is wrong
        flash(request, " ".join(fields.values()) if fields else exc.detail, "error")


def refused(page: Response, exc: MarketError) -> Response:
    """`page` (the one the person was on, its message flashed before rendering) answered with the
    refusal's status and headers: a 429 stays a 429 for the browser too."""
    page.status_code = exc.status_code
    page.headers.update(exc.headers)
    return page


def upload_bytes(request: Request, upload: UploadFile) -> bytes:
    """At most one byte more than allowed, so the size check can tell an oversized file."""
    return upload.file.read(settings_of(request).max_upload_bytes + 1)


def confirm_first(page: PageContext, title: str, message: str) -> HTMLResponse:
    """In place of a form the person may not send until their e-mail is confirmed: why, and a new link."""
    return page.render("accounts/confirm_first.html", {"title": title, "message": message})


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"{url_path(request, 'accounts.login_form')}?next={quote(target)}")


def site_path(url: str | None) -> str | None:
    """`url` if it is a path of this site, else None: a crafted link cannot send someone elsewhere."""
    return url if is_site_path(url) else None


def safe_next(url: str | None) -> str:
    """Where to go after log-in: a same-site `url`, or the person's panel."""
    return site_path(url) or path_for("organizations.dashboard")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class HtmxRedirect(Response):
    """Where htmx should go after an action: htmx follows `HX-Redirect` with a full page load (it would
    swap a 303's target into the page instead)."""

    def __init__(self, url: str) -> None:
        super().__init__(status_code=200, headers={"HX-Redirect": url})


def is_htmx(request: Request) -> bool:
    """The request comes from htmx, to swap part of a page (a boosted link loads a whole page)."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


@dataclass(frozen=True)
class PageContext:
    """What every page is rendered with: who is looking, in which language, and whether htmx asked for a
    part of the page (then `layout` renders only the content block, without the site's frame)."""

    request: Request
    user: User | None

    @property
    def locale(self) -> str:
        return i18n.current_locale.get()

    @property
    def is_htmx(self) -> bool:
        return is_htmx(self.request)

    @property
    def layout(self) -> str:
        return "layouts/fragment.html" if self.is_htmx else "base.html"

    def url(self, name: str, /, **path_params: Any) -> str:
        """The path of the named route (`catalog.listing`, listing_id=3 -> "/productos/3")."""
        return url_path(self.request, name, **path_params)

    def render(
        self, template: str, context: dict[str, Any] | None = None, status_code: int = 200
    ) -> HTMLResponse:
        ctx = {
            "page": self,
            "user": self.user,
            "csrf_token": csrf_token(self.request),
            "locale": self.locale,
            "layout": self.layout,
            "flashes": self.request.session.pop("flash", []),
            "is_htmx": self.is_htmx,
        } | (context or {})
        return templates.TemplateResponse(self.request, template, ctx, status_code=status_code)

    def redirect(self, url: str) -> Response:
        """After an action: a 303 to `url`, or, for htmx, the header that makes it load `url`."""
        return HtmxRedirect(url) if self.is_htmx else redirect(url)


async def page_context(request: Request, user: User | None = Depends(current_user)) -> PageContext:
    return PageContext(request, user)


def url_path(request: Request, name: str, /, **path_params: Any) -> str:
    """The path (not the absolute URL) of the route called `name`: links stay on whatever host and scheme
    the page was served under, and a route's Spanish path is written once, on the route."""
    return str(request.app.url_path_for(name, **{k: str(v) for k, v in path_params.items()}))


@jinja2.pass_context
def _url_for(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
    """`{{ url_for("orders.cart") }}` in templates: the path of a named route."""
    return url_path(context["request"], name, **path_params)


templates.env.globals["url_for"] = _url_for
templates.env.globals["static_url"] = static_url
