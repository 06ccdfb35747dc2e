"""The mailbox pages for administrators: every e-mail, one message, and a refused one sent again."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from market.bounds import Id, PageNumber
from market.deps import PageDep, SessionDep, SettingsDep, UserDep
from market.errors import NotFound
from market.i18n import gettext as _
from market.mail import admin as mailbox
from market.mail.models import EmailStatus
from market.web import flash, flash_failure, verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/correos", name="admin.mailbox")
def mailbox_page(
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
    to: str = "",
    status: str = "",
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    wanted = mailbox.status_of(status)
    found = mailbox.messages(session, user, settings, to, wanted, page_number)
    filters = {key: value for key, value in (("to", to.strip()), ("status", wanted or "")) if value}
    context = {
        "page": found,
        "to": to.strip(),
        "status": wanted or "",
        "query": urlencode(filters),
        "STATUSES": EmailStatus.labels(),
        "kind_label": mailbox.kind_label,
        "bodies_shown": mailbox.shows_bodies(settings),
    }
    return page.render("admin/mailbox.html", context)


@router.get("/correos/{email_id}", name="admin.mail_message")
def message_page(
    email_id: Id, page: PageDep, user: UserDep, session: SessionDep, settings: SettingsDep
) -> Response:
    shown = mailbox.message(session, user, settings, email_id)
    context = {"shown": shown, "kind_label": mailbox.kind_label, "mail_from": settings.mail_from}
    return page.render("admin/mailbox_message.html", context)


# The e-mail's own HTML, for the message page's sandboxed frame: its inline styles may apply (the site's
# policy forbids them), nothing else may load or run, and only this site may frame it.
MAIL_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)


@router.get("/correos/{email_id}/html", name="admin.mail_html")
def message_html(email_id: Id, user: UserDep, session: SessionDep, settings: SettingsDep) -> Response:
    shown = mailbox.message(session, user, settings, email_id)
    if shown.html is None:
        raise NotFound()
    headers = {"Content-Security-Policy": MAIL_HTML_POLICY, "X-Frame-Options": "SAMEORIGIN"}
    return HTMLResponse(shown.html, headers=headers)


@router.post("/correos/{email_id}/reenviar", name="admin.requeue_mail")
def requeue(email_id: Id, request: Request, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    with flash_failure(request, session, 409):
        email = mailbox.requeue(session, user, email_id)
        flash(request, _("El correo a {address} volvió a la cola de envío.").format(address=email.to_address))
    return page.redirect(page.url("admin.mail_message", email_id=email_id))
