"""Every interface message, collected for translation: Babel's extraction of `_()` calls in the code and
templates, plus the vocabularies and error texts that are defined as data (translated where shown)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

from market import errors, validation
from market.catalog.taxonomy import CATEGORIES, DELIVERY_LABELS, UNITS
from market.ledger.service import KIND_LABELS
from market.linking.schemas import BUYER_KINDS, FREQUENCIES, REGIMENES_FISCALES, USOS_CFDI
from market.mexico import CERTIFICATIONS, LEGAL_FORMS, SDGS
from market.orders.queries import BUYER_DONE, BUYER_STEP_LABELS, STEP_LABELS
from market.payments.methods import METHOD_LABELS

ROOT = Path(__file__).resolve().parent.parent
# Besides gettext calls: `invalid(code, message)` in schemas, `N_(message)` markers (the statuses' labels
# among them: market.statuses), and the errors that are raised with a message of their own as first
# argument.
RAISED_WITH_MESSAGE = (
    "MarketError",
    "NotFound",
    "NotAuthenticated",
    "Forbidden",
    "Conflict",
    "InvalidUpload",
)
KEYWORDS: dict[str, Any] = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "invalid": (2,)} | {
    name: None for name in RAISED_WITH_MESSAGE
}


def _data_messages() -> Iterator[str]:
    yield from LEGAL_FORMS.values()
    yield from CERTIFICATIONS.values()
    yield from SDGS.values()
    yield from (c.name for c in CATEGORIES)
    yield from UNITS.values()
    yield from DELIVERY_LABELS.values()
    yield from STEP_LABELS.values()
    yield from BUYER_STEP_LABELS.values()
    yield from BUYER_DONE.values()
    yield from METHOD_LABELS.values()
    yield from KIND_LABELS.values()
    yield from BUYER_KINDS.values()
    yield from REGIMENES_FISCALES.values()
    yield from USOS_CFDI.values()
    yield from FREQUENCIES.values()
    yield from validation.builtin_templates()
    for _name, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, errors.MarketError):
            yield cls.message
    from market.catalog.csv_import import CELL_MESSAGES, ImportRejected

    yield ImportRejected.message
    yield from CELL_MESSAGES.values()


def collect() -> Catalog:
    catalog = Catalog(locale="en", project="Tianguis Solidario")
    methods = [
        ("market/**.py", "python"),
        ("search/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/mail/**.txt", "jinja2"),
    ]
    jinja = {"extensions": "jinja2.ext.i18n"}
    options = {"templates/**.html": jinja, "templates/mail/**.txt": jinja}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map=methods, options_map=options, keywords=KEYWORDS
    ):
        if "/tests/" in filename or filename.startswith(".venv"):
            continue
        catalog.add(message, locations=[(filename, lineno)])
    for message in _data_messages():
        catalog.add(message)
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    """The source messages that have no translation (plural forms count only when every form is there)."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not strings or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing
