"""Every kind of message renders in both languages, from what its sender queues (the examples in
tests/mail/examples_*.py), and every link it carries opens a real page of the marketplace."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.routing import Match

from market.mail.kinds import KINDS
from market.mail.models import Email
from market.mail.render import render
from tests import mail as mail_tests
from tests.helpers import MAIL_SETTINGS, ROOT


def examples() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for module in pkgutil.iter_modules(mail_tests.__path__):
        if module.name.startswith("examples_"):
            found |= importlib.import_module(f"tests.mail.{module.name}").EXAMPLES
    return found


EXAMPLES = examples()
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
