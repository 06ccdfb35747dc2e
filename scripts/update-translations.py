#!/usr/bin/env python3
"""Refresh market/locale/en/LC_MESSAGES/messages.po from the code and templates, keeping translations.

Run: .venv/bin/python scripts/update-translations.py   (then translate the entries with an empty msgstr)"""

from __future__ import annotations

from babel.messages.pofile import read_po, write_po

from market.i18n import LOCALE_DIR
from market.messages import collect, untranslated

po_path = LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"
template = collect()
if po_path.exists():
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    catalog.update(template, no_fuzzy_matching=True)
else:
    catalog = template
catalog.fuzzy = False  # the header carries Plural-Forms; a fuzzy header would be skipped
po_path.parent.mkdir(parents=True, exist_ok=True)
with po_path.open("wb") as fh:
    write_po(fh, catalog, sort_output=True, width=110, include_previous=False, ignore_obsolete=True)
print(f"{len(catalog)} messages, {len(untranslated(catalog))} without an English translation")
