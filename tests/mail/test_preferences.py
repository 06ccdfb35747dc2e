"""What each person chooses to receive: the page (/cuenta/correos) and the API (/api/v1/me/email-preferences)
share one service that refuses turning off the essential topics; every optional message carries a signed
one-click unsubscribe link (RFC 8058) that works from a mail program without the site's cookies, and a link
scanner that only opens it changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.accounts.models import User
from market.config import Settings
from market.errors import ValidationFailed
from market.mail import kinds, preferences
from market.mail.delivery import deliver_due
from market.mail.models import Email, EmailPreference, EmailStatus
from market.mail.queue import send
from tests.fixtures.smtp import SmtpServer
from tests.helpers import api_token, count, csrf_of, database_state, fresh, log_in, signed_in
from tests.mail import EXAMPLES
from tests.pages import (
    Htmx,
    attr,
    checked_values,
    elements,
    field_error,
    flash,
    heading,
    href_of,
    is_fragment,
    main,
    one,
    text_of,
)

OPTIONAL = ["demands", "messages", "reviews"]
EVERY_TOPIC = ["account", "orders", *OPTIONAL]


def choices(session: Session, user_id: int | None) -> tuple[list[str], bool]:
    session.expire_all()
    row = session.get(EmailPreference, user_id)
    return (row.muted, row.daily_digest) if row else ([], False)


# --- the page -------------------------------------------------------------------------------------------


def test_the_account_page_links_to_the_choices(client: TestClient, make_user: Any) -> None:
    make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    assert href_of(client.get("/cuenta"), "Elegir qué correos recibo") == "/cuenta/correos"


def test_a_visitor_is_sent_to_log_in(client: TestClient) -> None:
    response = client.get("/cuenta/correos")
    assert response.status_code == 303 and response.headers["location"] == "/entrar?next=/cuenta/correos"
    assert client.get("/api/v1/me/email-preferences").status_code == 401


def test_the_page_shows_every_topic_and_the_essential_ones_cannot_be_unchecked(
    client: TestClient, make_user: Any
) -> None:
    make_user("ana@example.mx")
    log_in(client, "ana@example.mx")

    page = client.get("/cuenta/correos")

    assert heading(page) == "Correos que recibes"
    boxes = elements(page, "input[name='topics']")
    assert [attr(box, "value") for box in boxes] == EVERY_TOPIC
    assert checked_values(page, "topics") == EVERY_TOPIC
    assert [attr(box, "value") for box in boxes if box.has_attr("disabled")] == ["account", "orders"]
    why = text_of(one(page, "#" + (attr(boxes[0], "aria-describedby") or "")))
    assert why.startswith("Los correos de tu cuenta y de tus pedidos no se pueden desactivar")
    digest = one(page, "input[name='daily_digest']")
    assert digest.has_attr("disabled") and not digest.has_attr("checked")  # not in a producer organization
    assert "Podrás elegirlo cuando formes parte de una." in text_of(one(page, "#h-digest"))


def test_a_person_turns_topics_off_and_chooses_the_digest_on_the_page(
    client: TestClient, session: Session, make_user: Any, make_org: Any, htmx: Htmx
) -> None:
    ana = make_user("ana@example.mx")
    make_org(ana)
    log_in(client, "ana@example.mx")
    token = csrf_of(client, "/cuenta/correos")

    # The essential topics are disabled boxes, which a browser does not send.
    response = client.post(
        "/cuenta/correos",
        data={"csrf_token": token, "topics": ["demands"], "daily_digest": "1"},
        headers=htmx.headers,
    )

    assert choices(session, ana.id) == (["messages", "reviews"], True)
    if htmx:
        assert response.status_code == 200 and is_fragment(response)
        page = response
    else:
        assert response.status_code == 303 and response.headers["location"] == "/cuenta/correos"
        page = client.get("/cuenta/correos")
    assert flash(page, "success") == "Listo: guardamos qué correos quieres recibir."
    assert checked_values(page, "topics") == ["account", "orders", "demands"]
    assert checked_values(page, "daily_digest") == ["1"]


def test_the_digest_is_for_producers_and_refusing_it_writes_nothing(
    client: TestClient, engine: Engine, make_user: Any, htmx: Htmx
) -> None:
    make_user("eva@example.mx")
    log_in(client, "eva@example.mx")
    token = csrf_of(client, "/cuenta/correos")
    before = database_state(engine)

    response = client.post(
        "/cuenta/correos",
        data={"csrf_token": token, "topics": OPTIONAL, "daily_digest": "1"},
        headers=htmx.headers,
    )

    assert response.status_code == 422
    assert is_fragment(response) == bool(htmx)
    assert field_error(response, "daily_digest") == (
        "El resumen diario es para quienes forman parte de una organización productora."
    )
    assert database_state(engine) == before


def test_the_form_needs_its_csrf_token(client: TestClient, session: Session, make_user: Any) -> None:
    ana = make_user("ana@example.mx")
    log_in(client, "ana@example.mx")
    response = client.post("/cuenta/correos", data={"topics": []})
    assert response.status_code == 403 and choices(session, ana.id) == ([], False)


def test_the_page_in_english(client: TestClient, make_user: Any) -> None:
    make_user("ann@example.mx", name="Ann Lee")
    log_in(client, "ann@example.mx")
    client.get("/idioma/en")
    page = client.get("/cuenta/correos")
    assert heading(page) == "E-mails you receive"
    labels = [text_of(label) for label in elements(main(page), "fieldset label")]
    assert labels[0].startswith("Your account") and "Reviews and replies to reviews" in labels


# --- the API --------------------------------------------------------------------------------------------


def test_the_api_reads_and_changes_only_the_callers_own_choices(
    client: TestClient, session: Session, make_user: Any, make_org: Any
) -> None:
    ana, beto = make_user("ana@example.mx"), make_user("beto@example.mx", name="Beto Ruiz")
    make_org(ana)
    as_ana, as_beto = api_token(client, "ana@example.mx"), api_token(client, "beto@example.mx")

    shown = client.get("/api/v1/me/email-preferences", headers=as_ana).json()
    assert shown["muted"] == [] and shown["daily_digest"] is False and shown["digest_available"] is True
    assert [(t["topic"], t["essential"], t["receiving"]) for t in shown["topics"]] == [
        ("account", True, True),
        ("orders", True, True),
        ("demands", False, True),
        ("messages", False, True),
        ("reviews", False, True),
    ]

    changed = client.put(
        "/api/v1/me/email-preferences", json={"muted": ["reviews"], "daily_digest": True}, headers=as_ana
    )
    assert changed.status_code == 200
    assert changed.json()["muted"] == ["reviews"] and changed.json()["daily_digest"] is True
    client.put("/api/v1/me/email-preferences", json={"muted": ["messages"]}, headers=as_beto)

    assert choices(session, ana.id) == (["reviews"], True)
    assert choices(session, beto.id) == (["messages"], False)
    assert client.get("/api/v1/me/email-preferences", headers=as_beto).json()["digest_available"] is False


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"muted": ["orders", "reviews"]},
            "muted",
            "Los correos de tu cuenta y de tus pedidos son indispensables: no se pueden desactivar.",
        ),
        (
            {"muted": [], "daily_digest": True},
            "daily_digest",
            "El resumen diario es para quienes forman parte de una organización productora.",
        ),
    ],
)
def test_the_api_refuses_and_writes_nothing(
    client: TestClient, engine: Engine, make_user: Any, body: dict[str, Any], field: str, message: str
) -> None:
    make_user("ana@example.mx")
    headers = api_token(client, "ana@example.mx")
    before = database_state(engine)

    response = client.put("/api/v1/me/email-preferences", json=body, headers=headers)

    assert response.status_code == 422
    assert response.json()["error"] == "validation_error" and response.json()["fields"] == {field: message}
    assert database_state(engine) == before


def test_an_unknown_topic_is_refused(session: Session, client: TestClient, make_user: Any) -> None:
    make_user("ana@example.mx")
    headers = api_token(client, "ana@example.mx")
    response = client.put("/api/v1/me/email-preferences", json={"muted": ["spam"]}, headers=headers)
    assert response.status_code == 422 and "muted.0" in response.json()["fields"]
    assert count(session, EmailPreference) == 0
    # The service itself says so too, for any caller.
    ana = session.exec(select(User)).one()
    with pytest.raises(ValidationFailed) as refused:
        preferences.update_choices(session, ana, ["spam"], False)
    assert refused.value.errors == {"muted": "Ese tipo de correo no existe."}


def test_the_api_in_english(client: TestClient, make_user: Any) -> None:
    make_user("ann@example.mx")
    headers = api_token(client, "ann@example.mx") | {"Accept-Language": "en"}
    shown = client.get("/api/v1/me/email-preferences", headers=headers).json()
    assert shown["topics"][-1]["label"] == "Reviews and replies to reviews"
    refused = client.put("/api/v1/me/email-preferences", json={"muted": ["account"]}, headers=headers)
    assert refused.json()["fields"]["muted"] == (
        "E-mails about your account and your orders are essential: they cannot be turned off."
    )


def test_turning_the_digest_off_sends_what_was_waiting_for_it(
    session: Session, make_user: Any, make_org: Any
) -> None:
    ana = make_user("ana@example.mx")
    make_org(ana)
    preferences.update_choices(session, ana, [], True)
    held = send(session, kinds.NEW_MESSAGE, ana, **EXAMPLES["new_message"])
    held.status = EmailStatus.HELD
    session.commit()

    preferences.update_choices(session, ana, [], False)
    session.commit()

    assert fresh(session, Email, held.id).status == EmailStatus.QUEUED


# --- one-click unsubscribe, through the real SMTP path -------------------------------------------------


def unsubscribe_path(message: Any, settings: Settings) -> str:
    header = message["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    url = header[1:-1]
    assert url.startswith(settings.base_url.rstrip("/") + "/correo/baja/")
    return url.removeprefix(settings.base_url.rstrip("/"))


def test_one_click_unsubscribe_from_a_message_turns_its_topic_off(
    app: FastAPI,
    session: Session,
    engine: Engine,
    smtp_server: SmtpServer,
    smtp_settings: Settings,
    make_user: Any,
) -> None:
    ana = make_user("ana@example.mx", name="Ana Pérez")
    send(session, kinds.REVIEW_REPLY, ana, **EXAMPLES["review_reply"])
    session.commit()
    deliver_due(engine, smtp_settings)

    (received,) = smtp_server.to("ana@example.mx")
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(received.message, smtp_settings)
    url = smtp_settings.base_url.rstrip("/") + path
    assert url in received.text and "Reseñas y respuestas a reseñas" in received.text
    assert "/cuenta/correos" in received.text
    assert f'href="{url}"' in received.html

    # A link scanner (or the person) opening it only gets the question, with the button.
    with TestClient(app, follow_redirects=False) as scanner:
        question = scanner.get(path)
    assert question.status_code == 200 and heading(question) == "¿Dejar de recibir estos correos?"
    assert "ana@example.mx" in text_of(main(question))
    assert attr(one(question, "main form"), "action") == path
    assert choices(session, ana.id) == ([], False)

    # The mail program's one-click POST: no cookies, no CSRF token; the signed link authorises it.
    with TestClient(app, follow_redirects=False) as mail_program:
        done = mail_program.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and heading(done) == "Listo: ya no recibirás estos correos"
    assert href_of(done, "Elegir qué correos recibes") == "/cuenta/correos"
    assert choices(session, ana.id) == (["reviews"], False)

    # The next message of that topic is not sent; an essential one still is, without the one-click link.
    suppressed = send(session, kinds.REVIEW_REPLY, ana, **EXAMPLES["review_reply"])
    send(session, kinds.TEST, ana, sent_at="2026-12-06T16:30:00+00:00")
    session.commit()
    deliver_due(engine, smtp_settings)

    assert fresh(session, Email, suppressed.id).status == EmailStatus.SUPPRESSED
    _first, essential = smtp_server.to("ana@example.mx")
    assert essential.message["Subject"] == "Prueba de correo de Tianguis Solidario"
    assert essential.message["List-Unsubscribe"] is None
    assert "Elige qué correos recibes: http://127.0.0.1:8000/cuenta/correos" in essential.text
    assert "/correo/baja/" not in essential.text + essential.html


def test_the_confirmation_button_works_in_the_browser_too(
    app: FastAPI, session: Session, make_user: Any, make_org: Any
) -> None:
    ana = make_user("ana@example.mx")
    path = "/correo/baja/" + preferences.unsubscribe_token(app.state.settings, ana.id, kinds.Topic.DEMANDS)
    browser = signed_in(app, "ana@example.mx")  # signed in or not, the link is what counts
    form = one(browser.get(path), "main form")
    assert one(form, "button").get("name") == "List-Unsubscribe"
    refused = browser.post(path)  # RFC 8058: without `List-Unsubscribe=One-Click` it is no unsubscribe
    assert refused.status_code == 400 and choices(session, ana.id) == ([], False)
    assert "usa el botón" in text_of(main(refused))
    assert browser.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert browser.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # again: stays off
    assert choices(session, ana.id) == (["demands"], False)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_tampered_or_foreign_link_is_refused_and_changes_nothing(
    app: FastAPI, engine: Engine, make_user: Any, method: str
) -> None:
    ana = make_user("ana@example.mx")
    make_user("beto@example.mx")
    good = preferences.unsubscribe_token(app.state.settings, ana.id, kinds.Topic.REVIEWS)
    other_site = Settings(secret_key="another-secret-key-that-is-long-enough-99", _env_file=None)
    tokens = [
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # a changed signature
        preferences.unsubscribe_token(other_site, ana.id, kinds.Topic.REVIEWS),  # signed by someone else
        good.replace(good.split(".")[0], "WzIsInJldmlld3MiXQ"),  # [2, "reviews"]: another person, same sig
        "nada",
    ]
    before = database_state(engine)
    with TestClient(app, follow_redirects=False) as client:
        for token in tokens:
            response = client.request(method, f"/correo/baja/{token}")
            assert response.status_code == 400, token
            assert "Este enlace para dejar de recibir correos no es válido" in text_of(main(response))
    assert database_state(engine) == before
