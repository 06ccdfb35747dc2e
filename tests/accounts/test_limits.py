"""Log-in throttling (market/accounts/limits.py): guessing slows down, the owner is never locked out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from market.accounts.limits import address_key
from market.accounts.models import LoginAttempt
from market.config import Settings
from market.db import utcnow
from tests.helpers import PASSWORD, TOKENS, at_once, csrf_of
from tests.pages import field_names, flash, value_of

WRONG = "contraseña-equivocada"
Client = Callable[[str], TestClient]


@pytest.fixture
def from_address(app: FastAPI) -> Iterator[Client]:
    """A client whose requests come from the given address (what the app sees as the connecting peer)."""
    with ExitStack() as stack:

        def make(ip: str) -> TestClient:
            return stack.enter_context(TestClient(app, follow_redirects=False, client=(ip, 50000)))

        yield make


def try_token(client: TestClient, email: str, password: str = WRONG) -> int:
    return client.post(TOKENS, json={"email": email, "password": password}).status_code


def failures(session: Session, **where: str) -> int:
    query = select(LoginAttempt).where(col(LoginAttempt.succeeded).is_(False))
    for field, value in where.items():
        query = query.where(getattr(LoginAttempt, field) == value)
    return len(session.exec(query).all())


def age(session: Session, seconds: float, **where: str) -> None:
    """Move the recorded attempts (those matching `where`) back in time, as if `seconds` had passed."""
    query = select(LoginAttempt).execution_options(populate_existing=True)
    for field, value in where.items():
        query = query.where(getattr(LoginAttempt, field) == value)
    for attempt in session.exec(query).all():
        attempt.created_at -= timedelta(seconds=seconds)
    session.commit()


def seed_failures(session: Session, ip: str, emails: list[str]) -> None:
    """Failures recorded a few minutes ago, as the log-in would have recorded them."""
    for n, email in enumerate(emails):
        created_at = utcnow() - timedelta(seconds=300 - n)
        session.add(LoginAttempt(email=email, ip=ip, succeeded=False, created_at=created_at))
    session.commit()


def fail_until_waiting(client: TestClient, email: str, settings: Settings) -> None:
    for _ in range(settings.login_attempts_per_window):
        assert try_token(client, email) == 401


# --- one address against one account ---------------------------------------------------------------


def test_wrong_passwords_from_one_address_do_not_stop_the_owner_at_another(
    from_address: Client, make_user: Any, settings: Settings
) -> None:
    make_user("ana@example.mx")
    a, b = from_address("198.51.100.1"), from_address("203.0.113.2")
    fail_until_waiting(a, "ana@example.mx", settings)

    assert try_token(a, "ana@example.mx", PASSWORD) == 429  # address A waits, even with the right password
    assert try_token(b, "ana@example.mx", PASSWORD) == 201  # the owner at B does not


def test_the_administrator_logs_in_from_another_address_while_one_hammers(
    from_address: Client, make_user: Any, session: Session, settings: Settings
) -> None:
    make_user("admin@example.mx", is_admin=True)
    hammer, admin = from_address("198.51.100.66"), from_address("203.0.113.7")
    outcomes = [try_token(hammer, "admin@example.mx", f"{WRONG}-{n}") for n in range(30)]

    assert outcomes == [401] * settings.login_attempts_per_window + [429] * (
        30 - settings.login_attempts_per_window
    )
    assert failures(session) == settings.login_attempts_per_window  # the refused tries were not counted
    assert try_token(admin, "admin@example.mx", PASSWORD) == 201
    page = admin.post(
        "/entrar", data={"email": "admin@example.mx", "password": PASSWORD, "csrf_token": csrf_of(admin)}
    )
    assert page.status_code == 303 and page.headers["location"] == "/panel"


def test_a_waiting_address_is_told_how_long_and_asking_again_is_not_counted(
    from_address: Client, make_user: Any, session: Session, settings: Settings
) -> None:
    make_user("ana@example.mx")
    a = from_address("198.51.100.1")
    fail_until_waiting(a, "ana@example.mx", settings)

    for _ in range(3):
        refused = a.post(TOKENS, json={"email": "ana@example.mx", "password": PASSWORD})
        assert refused.status_code == 429
        body = refused.json()
        assert body["error"] == "too_many_attempts"
        assert 25 <= body["retry_after"] <= settings.login_backoff_seconds
        assert refused.headers["Retry-After"] == str(body["retry_after"])
        assert (
            body["detail"]
            == f"Demasiados intentos. Espera {body['retry_after']} segundos e inténtalo de nuevo."
        )
    assert failures(session) == settings.login_attempts_per_window


def test_after_the_wait_one_more_try_is_checked_and_the_next_wait_is_longer(
    from_address: Client, make_user: Any, session: Session, settings: Settings
) -> None:
    make_user("ana@example.mx")
    a = from_address("198.51.100.1")
    fail_until_waiting(a, "ana@example.mx", settings)
    assert try_token(a, "ana@example.mx") == 429

    age(session, settings.login_backoff_seconds)  # the first wait has passed
    assert try_token(a, "ana@example.mx") == 401  # checked (and wrong)
    refused = a.post(TOKENS, json={"email": "ana@example.mx", "password": PASSWORD})
    assert refused.status_code == 429
    assert (
        settings.login_backoff_seconds < refused.json()["retry_after"] <= 2 * settings.login_backoff_seconds
    )
    assert "Espera 1 minuto e" in refused.json()["detail"]

    age(session, 2 * settings.login_backoff_seconds)
    assert try_token(a, "ana@example.mx", PASSWORD) == 201  # the owner, at last, from the same address
    assert try_token(a, "ana@example.mx") == 401  # and a success starts the count over


def test_no_wait_is_longer_than_the_window(
    from_address: Client, make_user: Any, session: Session, settings: Settings
) -> None:
    make_user("ana@example.mx")
    for n in range(20):  # twenty failures in the last minute: 30 s doubled 15 times would be ten days
        created_at = utcnow() - timedelta(seconds=60 - n)
        session.add(
            LoginAttempt(email="ana@example.mx", ip="198.51.100.1", succeeded=False, created_at=created_at)
        )
    session.commit()

    refused = from_address("198.51.100.1").post(
        TOKENS, json={"email": "ana@example.mx", "password": PASSWORD}
    )

    assert refused.status_code == 429
    assert (
        settings.login_window_seconds - 60 <= refused.json()["retry_after"] <= settings.login_window_seconds
    )
    assert "Espera 15 minutos" in refused.json()["detail"]


def test_simultaneous_wrong_tries_are_counted_one_by_one(
    from_address: Client, make_user: Any, settings: Settings
) -> None:
    make_user("ana@example.mx")
    settings.login_attempts_per_window = 1
    clients = [from_address("198.51.100.1"), from_address("198.51.100.1")]

    outcomes = at_once(lambda: str(try_token(clients.pop(), "ana@example.mx")))

    assert outcomes == ["401", "429"]  # not two guesses checked because both arrived before either failed


# --- one address against many accounts ---------------------------------------------------------------


def test_an_address_spraying_unknown_emails_is_slowed(
    from_address: Client, make_user: Any, session: Session, settings: Settings
) -> None:
    make_user("ana@example.mx")
    emails = [f"nadie{n}@example.mx" for n in range(settings.login_address_emails)]
    seed_failures(session, "198.51.100.9", emails[1:])  # it has been through all but one of them
    sprayer, elsewhere = from_address("198.51.100.9"), from_address("203.0.113.2")
    assert try_token(sprayer, emails[0]) == 401

    refused = sprayer.post(TOKENS, json={"email": "otra@example.mx", "password": WRONG})
    assert refused.status_code == 429
    assert 25 <= refused.json()["retry_after"] <= settings.login_backoff_seconds
    assert (
        try_token(sprayer, "ana@example.mx", PASSWORD) == 429
    )  # every try of it waits: it can't tell who exists
    assert try_token(elsewhere, "ana@example.mx", PASSWORD) == 201  # nobody else does

    for n in range(2):  # after each wait one more e-mail is checked; the wait grows, to a minute at most
        age(session, settings.login_address_max_wait_seconds)
        assert try_token(sprayer, f"otra{n}@example.mx") == 401
        wait = sprayer.post(TOKENS, json={"email": "x@example.mx", "password": WRONG}).json()["retry_after"]
        assert wait <= settings.login_address_max_wait_seconds
    assert wait > settings.login_address_max_wait_seconds - 5


def test_an_office_where_several_people_mistype_is_not_slowed(
    from_address: Client, make_user: Any, session: Session, settings: Settings
) -> None:
    make_user("ana@example.mx")
    make_user("beto@example.mx", name="Beto")
    colleagues = [f"persona{n}@example.mx" for n in range(11)]
    seed_failures(session, "192.0.2.50", colleagues * 2)  # 22 failures this morning, two for each colleague
    office = from_address("192.0.2.50")  # one address for the whole office

    assert try_token(office, "ana@example.mx") == 401
    assert try_token(office, "ana@example.mx", PASSWORD) == 201
    assert try_token(office, "beto@example.mx", PASSWORD) == 201


def test_one_person_who_keeps_mistyping_does_not_slow_the_rest_of_the_office(
    from_address: Client, make_user: Any, settings: Settings
) -> None:
    make_user("ana@example.mx")
    make_user("beto@example.mx", name="Beto")
    office = from_address("192.0.2.50")
    fail_until_waiting(office, "ana@example.mx", settings)

    assert try_token(office, "ana@example.mx", PASSWORD) == 429
    assert try_token(office, "beto@example.mx", PASSWORD) == 201


# --- one account against many addresses ---------------------------------------------------------------


def test_an_account_under_attack_from_many_addresses_lets_the_owner_in_after_seconds(
    from_address: Client, make_user: Any, session: Session, settings: Settings
) -> None:
    make_user("admin@example.mx", is_admin=True)
    for n in range(2, 11):  # 18 failures from 9 addresses, each below its own limit
        seed_failures(session, f"198.51.100.{n}", ["admin@example.mx"] * 2)
    attacker = from_address("198.51.100.1")
    assert try_token(attacker, "admin@example.mx") == 401
    assert try_token(attacker, "admin@example.mx") == 401  # 20 failures from 10 addresses
    owner = from_address("203.0.113.7")  # a new address, with the right password

    refused = owner.post(TOKENS, json={"email": "admin@example.mx", "password": PASSWORD})
    assert refused.status_code == 429
    assert 1 <= refused.json()["retry_after"] <= settings.login_account_wait_seconds
    assert try_token(attacker, "admin@example.mx") == 429  # the attack is held to the same pace
    assert failures(session) == settings.login_account_attack_failures  # the refused tries are not counted

    age(session, settings.login_account_wait_seconds)
    assert try_token(owner, "admin@example.mx", PASSWORD) == 201


# --- the page, and the addresses counted ----------------------------------------------------------------


def test_the_sign_in_page_says_how_long_to_wait_and_keeps_the_form(
    from_address: Client, make_user: Any, settings: Settings
) -> None:
    make_user("ana@example.mx")
    a, b = from_address("198.51.100.1"), from_address("203.0.113.2")

    def sign_in(client: TestClient, password: str) -> Any:
        data = {"email": "ana@example.mx", "password": password, "csrf_token": csrf_of(client)}
        return client.post("/entrar", data=data)

    for _ in range(settings.login_attempts_per_window):
        assert sign_in(a, WRONG).status_code == 401
    page = sign_in(a, PASSWORD)

    assert page.status_code == 429
    assert 25 <= int(page.headers["Retry-After"]) <= settings.login_backoff_seconds
    assert f"Espera {page.headers['Retry-After']} segundos" in flash(page, "error")
    assert "password" in field_names(page) and value_of(page, "email") == "ana@example.mx"
    assert sign_in(b, PASSWORD).status_code == 303


def test_attempts_in_english_say_the_wait_in_english(
    from_address: Client, make_user: Any, settings: Settings
) -> None:
    make_user("ana@example.mx")
    a = from_address("198.51.100.1")
    fail_until_waiting(a, "ana@example.mx", settings)

    refused = a.post(
        TOKENS, json={"email": "ana@example.mx", "password": PASSWORD}, headers={"Accept-Language": "en"}
    )

    assert refused.json()["detail"].startswith("Too many attempts. Wait ")
    assert refused.json()["detail"].endswith(" seconds and try again.")


def test_an_ipv6_subscriber_counts_as_one_address(
    from_address: Client, make_user: Any, settings: Settings
) -> None:
    make_user("ana@example.mx")
    fail_until_waiting(from_address("2001:db8:1:2::1"), "ana@example.mx", settings)

    assert try_token(from_address("2001:db8:1:2:ffff::9"), "ana@example.mx", PASSWORD) == 429  # same /64
    assert try_token(from_address("2001:db8:1:3::1"), "ana@example.mx", PASSWORD) == 201


@pytest.mark.parametrize(
    ("ip", "key"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("unknown", "unknown"),
    ],
)
def test_address_key(ip: str, key: str) -> None:
    assert address_key(ip) == key


def test_an_overlong_email_is_refused_without_error(from_address: Client) -> None:
    client = from_address("198.51.100.1")
    page = client.post(
        "/entrar", data={"email": "a" * 400 + "@example.mx", "password": WRONG, "csrf_token": csrf_of(client)}
    )
    assert page.status_code == 401
