"""Every kind of message renders in both languages, from what its sender queues (the examples in
tests/mail/examples_*.py), every link it carries opens a real page of the marketplace, and every one goes
out through a real SMTP server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.routing import Match

from market.config import Settings
from market.mail.delivery import deliver_due
from market.mail.kinds import KINDS
from market.mail.models import Email, EmailStatus
from market.mail.queue import send
from market.mail.render import render
from tests.fixtures.smtp import SmtpServer
from tests.helpers import MAIL_SETTINGS, ROOT
from tests.mail import EXAMPLES

SITE = MAIL_SETTINGS.base_url.rstrip("/")
LINK = re.compile(re.escape(SITE) + r"(/[^\s\"'<>)]*)")


def test_every_kind_has_an_example() -> None:
    assert sorted(KINDS) == sorted(EXAMPLES)


def test_the_readme_lists_every_kind_with_its_topic_and_who_receives_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in readme.splitlines()]
    table = {row[0].strip("`"): row for row in rows if row and row[0].strip("`") in KINDS}
    assert sorted(table) == sorted(KINDS)
    assert {name: (row[2].strip("`"), row[3]) for name, row in table.items()} == {
        name: (kind.topic.value, kind.receiver) for name, kind in KINDS.items()
    }


def is_a_page(app: FastAPI, path: str) -> bool:
    scope = {"type": "http", "method": "GET", "path": path.split("#")[0].split("?")[0]}
    return any(route.matches(scope)[0] == Match.FULL for route in app.router.routes)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_renders_in_spanish_and_english_with_links_to_real_pages(app: FastAPI, kind: str) -> None:
    context = EXAMPLES[kind] | {"name": "Ana López"}
    spanish = render(
        Email(message_id="<x@y>", kind=kind, to_address="a@b.mx", context=context), MAIL_SETTINGS
    )
    english = render(
        Email(message_id="<x@y>", kind=kind, to_address="a@b.mx", context=context, locale="en"), MAIL_SETTINGS
    )

    for rendered in (spanish, english):
        assert rendered.subject and "\n" not in rendered.subject
        assert rendered.text.strip() and "<p" not in rendered.text
        assert rendered.html.lstrip().startswith("<!doctype html>")
        links = LINK.findall(rendered.text) + LINK.findall(rendered.html)
        assert links, "a message links at least to the site"
        assert [path for path in links if not is_a_page(app, path)] == []
    assert spanish.text != english.text and 'lang="en"' in english.html


def test_every_kind_goes_out_through_a_real_smtp_server(
    session: Session, engine: Engine, smtp_server: SmtpServer, smtp_settings: Settings, make_user: Any
) -> None:
    """Each kind, queued as its sender queues it, leaves over SMTP with both parts, its links absolute, and
    the one-click unsubscribe headers exactly when the person may turn it off."""
    ana = make_user("ana@example.mx", name="Ana López")
    for name in sorted(KINDS):
        send(session, KINDS[name], ana, **EXAMPLES[name])
    session.commit()

    while deliver_due(engine, smtp_settings):
        pass

    received = {mail.message["Message-ID"]: mail for mail in smtp_server.received}
    sent = session.exec(select(Email).order_by(col(Email.id))).all()
    assert [email.status for email in sent] == [EmailStatus.SENT] * len(KINDS)
    for email in sent:
        mail = received[email.message_id]
        kind = KINDS[email.kind]
        assert mail.recipients == ["ana@example.mx"] and mail.message["Subject"] == email.subject
        assert mail.text.startswith("Hola, Ana López:") and "Hola, Ana López:" in mail.html
        assert LINK.findall(mail.text) and LINK.findall(mail.html)
        unsubscribe = mail.message["List-Unsubscribe"]
        assert (unsubscribe is None) == kind.essential, kind.name
        if unsubscribe:  # as mail programs read it: a plain <https://…> on one line, no encoded words
            assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert mail.raw_header("List-Unsubscribe") == unsubscribe and unsubscribe.startswith("<http")
            assert unsubscribe.strip("<>") in mail.text
        assert re.search(rb"(^|\r\n)Subject: \S", mail.raw)  # on the header's own line, not folded
