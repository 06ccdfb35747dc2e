"""A queued message made into what is sent: subject, plain text and HTML in the recipient's language, links
absolute, dates in Mexico City time, money as `$1,234.50`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date, format_time

from market import i18n
from market.catalog.units import quantity_text
from market.config import Settings
from market.mail.kinds import KINDS, Kind
from market.mail.models import Email
from market.mail.preferences import unsubscribe_token
from market.mexico import MEXICO_CITY, state_name
from market.money import format_mxn
from market.urls import path_for

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "mail"

# Plain text is not escaped; HTML is. A missing value fails loudly instead of leaving a gap in a message.
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]


def _moment(value: str | datetime) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def when(value: str | datetime) -> str:
    """`6 de diciembre de 2026, 10:30` in Mexico City time, in the message's language."""
    moment = _moment(value).astimezone(MEXICO_CITY)
    locale = i18n.current_locale.get()
    return f"{format_date(moment, 'long', locale=locale)}, {format_time(moment, 'HH:mm', locale=locale)}"


def day(value: str | date) -> str:
    moment = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return format_date(moment, "long", locale=i18n.current_locale.get())


_env.filters.update(
    mxn=lambda cents: format_mxn(cents, i18n.current_locale.get()),
    when=when,
    day=day,
    quantity=quantity_text,
    state_name=state_name,
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def _choices(
    email: Email, kind: Kind, settings: Settings, site: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """What the footer offers a person (not a bare address): the page of their choices, and for a message
    they may turn off, the one-click link to stop its topic (RFC 8058: List-Unsubscribe with
    List-Unsubscribe-Post, which mail programs show as their own "unsubscribe" button)."""
    if email.user_id is None:
        return {"preferences_url": None, "unsubscribe_url": None}, {}
    preferences_url = site + path_for("mail.preferences")
    if kind.essential:
        return {"preferences_url": preferences_url, "unsubscribe_url": None}, {}
    token = unsubscribe_token(settings, email.user_id, kind.topic)
    unsubscribe_url = site + path_for("mail.unsubscribe", token=token)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return {"preferences_url": preferences_url, "unsubscribe_url": unsubscribe_url}, headers


def render(email: Email, settings: Settings) -> Rendered:
    """The message as the recipient gets it, in their language (their account's, or the one it was queued
    in for an address with no account)."""
    kind = KINDS[email.kind]
    site = settings.base_url.rstrip("/")
    choices, headers = _choices(email, kind, settings, site)
    context = (
        email.context
        | choices
        | {
            "kind": kind,
            "link": site + email.context["link"] if email.context.get("link") else None,
            "url_for": lambda name, /, **params: site + path_for(name, **params),
            "absolute": lambda path: site + path,
            "site": site,
            "to_address": email.to_address,
            "lang": "en" if email.locale == "en" else "es-MX",
        }
    )
    token = i18n.current_locale.set(email.locale)
    try:
        text_template = _env.get_template(f"{kind.name}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(context))).strip()
        text = text_template.render(context)
        html = _env.get_template(f"{kind.name}.html").render(context | {"subject": subject})
    finally:
        i18n.current_locale.reset(token)
    return Rendered(subject=" ".join(subject.split()), text=text, html=html, headers=headers)
