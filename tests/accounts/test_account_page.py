"""/cuenta: the person sees where they are signed in and their API tokens, and ends any of them; nobody can
end another person's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bs4 import Tag
from fastapi.testclient import TestClient
from httpx import Response
from playwright.sync_api import expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.accounts.models import ApiToken
from tests.accounts.conftest import is_signed_in, session_ids
from tests.helpers import PASSWORD, TOKENS, api_token, csrf_of, database_state, log_in
from tests.pages import (
    Htmx,
    buttons,
    elements,
    flashes,
    hrefs,
    is_fragment,
    main,
    one,
    soup,
    table_row,
    text_of,
    texts,
)

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
)
LAPTOP_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"


def browser_of(new_browser: Callable[[], TestClient], email: str, user_agent: str) -> TestClient:
    client = new_browser()
    client.headers["User-Agent"] = user_agent
    log_in(client, email)
    return client


def test_the_account_page_lists_sessions_and_tokens(
    client: TestClient, make_user: Any, new_browser: Callable[[], TestClient]
) -> None:
    make_user("ana@example.mx")
    browser_of(new_browser, "ana@example.mx", PHONE_UA)
    laptop = browser_of(new_browser, "ana@example.mx", LAPTOP_UA)
    client.post(
        TOKENS,
        json={"email": "ana@example.mx", "password": PASSWORD, "name": "hoja de cálculo"},
    )

    page = soup(laptop.get("/cuenta"))

    devices = {text_of(one(s, "strong")): texts(s, ".badge") for s in elements(page, "li[data-session]")}
    assert devices == {"Chrome · Android": [], "Firefox · Windows": ["Esta sesión"]}  # the laptop's own
    assert table_row(page, "hoja de cálculo")[2] == "Nunca"  # never used yet
    assert "Cerrar las demás sesiones" in buttons(page)
    assert "/cuenta" in hrefs(laptop.get("/panel"))  # reachable from the panel and the navigation


def test_the_account_page_needs_a_signed_in_person(client: TestClient) -> None:
    response = client.get("/cuenta")

    assert response.status_code == 303 and response.headers["location"] == "/entrar?next=/cuenta"


def test_the_account_page_speaks_english(client: TestClient, make_user: Any) -> None:
    make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    client.cookies.set("lang", "en")

    page = soup(client.get("/cuenta"))

    assert texts(page, "#accesos h2") == ["Open sessions", "API tokens"]
    assert texts(page, "li[data-session] .badge") == ["This session"]


def the_lists_after(browser: TestClient, response: Response, htmx: Htmx) -> Tag:
    """What the person sees after an action on their sessions or tokens: with htmx, the lists swapped in
    place; without, the account page the action went back to."""
    if htmx:
        assert response.status_code == 200 and is_fragment(response)
        one(response, "#accesos")  # the block the answer replaces
        return soup(response)
    assert response.status_code == 303 and response.headers["location"] == "/cuenta"
    return main(browser.get("/cuenta"))


def test_ending_a_session_from_the_account_page_signs_that_device_out(
    make_user: Any, session: Session, new_browser: Callable[[], TestClient], htmx: Htmx
) -> None:
    ana = make_user("ana@example.mx")
    phone = browser_of(new_browser, "ana@example.mx", PHONE_UA)
    phone_session = session_ids(session, ana)[0]
    laptop = browser_of(new_browser, "ana@example.mx", LAPTOP_UA)

    response = laptop.post(
        f"/cuenta/sesiones/{phone_session}/cerrar",
        data={"csrf_token": csrf_of(laptop, "/cuenta")},
        headers=htmx.headers,
    )

    lists = the_lists_after(laptop, response, htmx)
    assert flashes(lists, "success") == ["Cerramos la sesión de ese dispositivo."]
    assert texts(lists, "li[data-session] strong") == ["Firefox · Windows"]
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert len(session_ids(session, ana)) == 1


def test_signing_out_the_other_sessions_keeps_this_one(
    make_user: Any, session: Session, new_browser: Callable[[], TestClient], htmx: Htmx
) -> None:
    ana, beto = make_user("ana@example.mx"), make_user("beto@example.mx", name="Beto Ruiz")
    phone = browser_of(new_browser, "ana@example.mx", PHONE_UA)
    tablet = browser_of(new_browser, "ana@example.mx", PHONE_UA)
    someone_else = browser_of(new_browser, "beto@example.mx", PHONE_UA)
    laptop = browser_of(new_browser, "ana@example.mx", LAPTOP_UA)

    response = laptop.post(
        "/cuenta/sesiones/cerrar-las-demas",
        data={"csrf_token": csrf_of(laptop, "/cuenta")},
        headers=htmx.headers,
    )

    lists = the_lists_after(laptop, response, htmx)
    assert flashes(lists, "success") == ["Cerramos otras 2 sesiones abiertas."]
    assert texts(lists, "li[data-session] strong") == ["Firefox · Windows"]
    assert "Cerrar las demás sesiones" not in buttons(lists)
    assert not is_signed_in(phone) and not is_signed_in(tablet)
    assert is_signed_in(laptop) and is_signed_in(someone_else)
    assert len(session_ids(session, ana)) == 1 and len(session_ids(session, beto)) == 1


def test_revoking_a_token_from_the_account_page(
    client: TestClient, make_user: Any, session: Session, htmx: Htmx
) -> None:
    make_user("ana@example.mx")
    headers = api_token(client, "ana@example.mx")
    log_in(client, "ana@example.mx")
    token = session.exec(select(ApiToken)).one()

    response = client.post(
        f"/cuenta/tokens/{token.id}/revocar",
        data={"csrf_token": csrf_of(client, "/cuenta")},
        headers=htmx.headers,
    )

    lists = the_lists_after(client, response, htmx)
    assert flashes(lists, "success") == ["Revocamos el token «api»."]
    assert elements(lists, "tr[data-token]") == []
    assert client.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize("what", ["session", "token"])
def test_nobody_can_end_another_persons_session_or_token(
    make_user: Any, session: Session, engine: Engine, new_browser: Callable[[], TestClient], what: str
) -> None:
    beto = make_user("beto@example.mx", name="Beto Ruiz")
    make_user("ana@example.mx")
    beto_browser = browser_of(new_browser, "beto@example.mx", PHONE_UA)
    beto_token = api_token(beto_browser, "beto@example.mx")
    ana = browser_of(new_browser, "ana@example.mx", LAPTOP_UA)
    target = (
        f"/cuenta/sesiones/{session_ids(session, beto)[0]}/cerrar"
        if what == "session"
        else f"/cuenta/tokens/{session.exec(select(ApiToken.id)).one()}/revocar"
    )
    unknown = "/cuenta/sesiones/999999/cerrar" if what == "session" else "/cuenta/tokens/999999/revocar"
    token = csrf_of(ana, "/cuenta")
    before = database_state(engine), session.exec(select(ApiToken.token_hash)).all()

    response = ana.post(target, data={"csrf_token": token})

    assert response.status_code == 404
    # The same page as for no such thing (but for the address in the language switch's link).
    assert response.text.replace(target, unknown) == ana.post(unknown, data={"csrf_token": token}).text
    assert (database_state(engine), session.exec(select(ApiToken.token_hash)).all()) == before
    assert is_signed_in(beto_browser)
    assert beto_browser.get("/api/v1/me", headers=beto_token).status_code == 200


def test_ending_a_session_without_the_csrf_token_is_refused_and_writes_nothing(
    make_user: Any, session: Session, engine: Engine, new_browser: Callable[[], TestClient]
) -> None:
    ana = make_user("ana@example.mx")
    browser_of(new_browser, "ana@example.mx", PHONE_UA)
    laptop = browser_of(new_browser, "ana@example.mx", LAPTOP_UA)
    before = database_state(engine)

    response = laptop.post(f"/cuenta/sesiones/{session_ids(session, ana)[0]}/cerrar")
    other = laptop.post("/cuenta/sesiones/cerrar-las-demas")

    assert response.status_code == other.status_code == 403
    assert database_state(engine) == before


@pytest.mark.browser
def test_in_chromium_signing_out_the_other_devices_updates_the_page(
    make_user: Any, sign_in: Callable[[str], Any], live_server: str
) -> None:
    make_user("ana@example.mx")
    phone = sign_in("ana@example.mx")
    laptop = sign_in("ana@example.mx")

    laptop.get_by_role("link", name="Mi cuenta").click()
    expect(laptop.locator("li[data-session]")).to_have_count(2)
    laptop.get_by_role("button", name="Cerrar las demás sesiones").click()

    expect(laptop.get_by_role("status")).to_have_text("Cerramos 1 otra sesión abierta.")
    expect(laptop.locator("li[data-session]")).to_have_count(1)
    phone.goto(f"{live_server}/panel")
    expect(phone.get_by_role("link", name="Entrar")).to_be_visible()
