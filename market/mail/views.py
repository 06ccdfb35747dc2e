"""Pages of a person's e-mail choices (/cuenta/correos) and of the one-click unsubscribe link that every
optional message carries (/correo/baja/<token>)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session

from market.accounts.models import User
from market.config import Settings
from market.deps import FormDep, PageDep, SessionDep, SettingsDep, UserDep
from market.errors import InvalidAccountLink, ValidationFailed
from market.i18n import gettext as _
from market.mail import preferences
from market.mail.kinds import Topic
from market.web import flash, refusable, verify_csrf

# No router-wide CSRF check: the one-click unsubscribe (RFC 8058) is posted by mail programs, without the
# site's cookies; its signed token is what authorises it. Every other form here checks the token.
router = APIRouter(include_in_schema=False)
CSRF = [Depends(verify_csrf)]
Token = Annotated[str, PathParam(max_length=200)]
TEMPLATE = "accounts/email_preferences.html"
FORM = "accounts/_email_preferences.html"


def _context(session: Session, user: User, settings: Settings) -> dict[str, Any]:
    return {"choices": preferences.public(session, user), "digest_hour": settings.digest_hour, "errors": {}}


@router.get("/cuenta/correos", name="mail.preferences")
def preferences_page(page: PageDep, user: UserDep, session: SessionDep, settings: SettingsDep) -> Response:
    return page.render(TEMPLATE, _context(session, user, settings))


@router.post("/cuenta/correos", name="mail.save_preferences", dependencies=CSRF)
def save_preferences(
    page: PageDep, user: UserDep, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    receiving = set(form.getlist("topics"))
    muted = [topic for topic in Topic if not topic.essential and topic not in receiving]
    template = FORM if page.is_htmx else TEMPLATE
    try:
        with refusable(session):
            preferences.update_choices(session, user, muted, form.get("daily_digest") == "1")
    except ValidationFailed as exc:
        return page.render(
            template, _context(session, user, settings) | {"errors": exc.body()["fields"]}, 422
        )
    notice = _("Listo: guardamos qué correos quieres recibir.")
    if page.is_htmx:
        return page.render(FORM, _context(session, user, settings) | {"notice": notice})
    flash(page.request, notice)
    return page.redirect(page.url("mail.preferences"))


@router.get("/correo/baja/{token}", name="mail.unsubscribe")
def unsubscribe_form(token: Token, page: PageDep, session: SessionDep, settings: SettingsDep) -> Response:
    """A question with a button, never the change itself: link scanners and previews open links."""
    person, topic = preferences.read_unsubscribe_token(session, settings, token)
    return page.render(
        "accounts/unsubscribe.html", {"token": token, "topic": topic, "address": person.email, "done": False}
    )


@router.post("/correo/baja/{token}", name="mail.unsubscribe_now")
def unsubscribe(
    token: Token, page: PageDep, form: FormDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """RFC 8058 one-click: the mail program posts `List-Unsubscribe=One-Click` here; so does the button.
    A post without it is no one-click request (RFC 8058 asks for the body, so that nothing else counts)."""
    preferences.read_unsubscribe_token(session, settings, token)  # a bad link is said to be one first
    if form.get("List-Unsubscribe") != "One-Click":
        raise InvalidAccountLink(preferences.NOT_ONE_CLICK)
    person, topic = preferences.unsubscribe(session, settings, token)
    return page.render(
        "accounts/unsubscribe.html", {"token": token, "topic": topic, "address": person.email, "done": True}
    )
