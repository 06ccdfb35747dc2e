"""Interface language. Source strings are Spanish (es-MX, the default); `locale/en` translates them.

The .po catalog is compiled in memory at start-up, so there is no build step and no .mo file to ship.
The current locale lives in a context variable set once per request."""

from __future__ import annotations

import gettext as gettext_module
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DEFAULT_LOCALE = "es_MX"
LOCALES = {"es_MX": "Español", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext_module.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a message for extraction where it is stored now and translated when shown."""
    return message


def negotiate(accept_language: str | None) -> str:
    """Pick a supported locale from an Accept-Language header by its quality values (`en;q=0.1, es;q=0.9`
    is Spanish; `q=0` refuses a language); Spanish unless English is preferred."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = tag.strip().lower()[:2]
        if quality > 0 and language in ("es", "en"):
            ranked.append((-quality, n, language))
    if ranked and min(ranked)[2] == "en":
        return "en"
    return DEFAULT_LOCALE


def babel_locale() -> str:
    return current_locale.get()
