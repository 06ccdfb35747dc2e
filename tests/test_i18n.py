"""Spanish is the source language; every message shown has an English translation that keeps its
placeholders, and the English interface is really English."""

from __future__ import annotations

import re
from typing import Any

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from market.i18n import LOCALE_DIR
from market.messages import collect, untranslated
from tests.pages import attr, heading, one, soup, text_of

PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[ds]")


def english_catalog() -> Any:
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale="en")


def test_every_interface_message_has_an_english_translation() -> None:
    english = english_catalog()
    current = {m.id if isinstance(m.id, str) else m.id[0] for m in collect() if m.id}
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in english if m.id}
    assert sorted(current - translated) == [], "run scripts/update-translations.py and translate"
    assert untranslated(english) == []


def test_translations_keep_their_placeholders() -> None:
    for message in english_catalog():
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(sources[-1]))
        for target in targets:
            assert set(PLACEHOLDER.findall(target)) == expected, message.id


def test_english_pages_and_api_errors(
    client: TestClient, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    make_listing(make_org(make_user()))
    client.get("/idioma/en")
    page = soup(client.get("/catalogo?category=cafe"))
    assert attr(one(page, "html"), "lang") == "en"
    assert heading(page) == "Coffee" and text_of(one(page, "main [role=status]")) == "1 result"
    assert text_of(one(page, ".listing-card .price")).startswith("MX$320.00")
    assert "Catálogo" not in text_of(page)

    api = TestClient(client.app)
    response = api.post(
        "/api/v1/auth/register",
        json={"name": "Ann", "email": "ann@example.com", "password": "x"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json()["fields"]["password"] == "Enter at least 10 characters."
