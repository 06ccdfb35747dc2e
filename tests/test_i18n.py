"""Spanish is the source language; every message shown has an English translation that keeps its
placeholders, and the English interface is really English."""

from __future__ import annotations

import re
from typing import Any

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from market.accounts.models import User
from market.i18n import LOCALE_DIR
from market.messages import collect, untranslated
from tests.helpers import account_emails, fresh, log_in, signed_in
from tests.pages import attr, elements, heading, one, soup, text_of, value_of

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


def test_the_language_a_person_chooses_on_the_site_is_their_e_mails_language_too(
    app: Any, session: Any, make_user: Any
) -> None:
    ann = make_user("ann@example.mx", name="Ann Lee")
    browser = signed_in(app, "ann@example.mx")

    browser.get("/idioma/en?next=/cuenta")

    assert fresh(session, User, ann.id).locale == "en"
    browser.post("/api/v1/auth/password-reset", json={"email": "ann@example.mx"})
    [email] = account_emails(app)
    assert email["subject"] == "Choose a new password for Tianguis Solidario"
    browser.get("/idioma/es_MX")
    assert fresh(session, User, ann.id).locale == "es_MX"
    TestClient(app).get("/idioma/en")  # a visitor: only the cookie
    assert fresh(session, User, ann.id).locale == "es_MX"


def test_logging_in_on_another_browser_brings_back_the_language_the_person_chose(
    app: Any, make_user: Any
) -> None:
    make_user("ann@example.mx", name="Ann Lee")
    signed_in(app, "ann@example.mx").get("/idioma/en?next=/cuenta")  # chosen on the laptop
    phone = TestClient(app, follow_redirects=False)
    assert attr(one(phone.get("/entrar"), "html"), "lang") == "es-MX"  # a new browser starts in Spanish

    log_in(phone, "ann@example.mx")

    assert phone.cookies["lang"] == "en"
    panel = phone.get("/panel")
    assert attr(one(panel, "html"), "lang") == "en" and heading(panel) == "Hi, Ann Lee"
    phone.get("/idioma/es_MX")  # chosen again on the phone: the laptop's next log-in brings it back
    laptop = TestClient(app, follow_redirects=False)
    laptop.get("/idioma/en")  # what this browser showed before the person signed in
    log_in(laptop, "ann@example.mx")
    assert laptop.cookies["lang"] == "es_MX" and heading(laptop.get("/panel")) == "Hola, Ann Lee"


def test_the_language_switch_comes_back_to_the_same_page_with_its_query(client: TestClient) -> None:
    page = client.get("/buscar?q=miel&state=31")
    [switch] = elements(page, "header nav a[hreflang]")

    switched = client.get(attr(switch, "href") or "")

    assert switched.headers["location"] == "/buscar?q=miel&state=31"


def test_the_registration_form_starts_in_the_language_the_visitor_reads(client: TestClient) -> None:
    assert value_of(client.get("/registro"), "locale") == "es_MX"
    client.get("/idioma/en")
    assert value_of(client.get("/registro"), "locale") == "en"
