"""Queueing a message: one row in the transaction that wants it, delivered by the worker after commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from pydantic_core import to_jsonable_python
from sqlmodel import Session

from market.accounts.models import User
from market.i18n import DEFAULT_LOCALE
from market.mail.kinds import Kind
from market.mail.models import Email

MESSAGE_ID_DOMAIN = "tianguis-solidario.mx"


def send(
    session: Session,
    kind: Kind,
    to: User | str,
    *,
    link: str | None = None,
    locale: str | None = None,
    **context: Any,
) -> Email:
    """Queue a message of `kind` to a person (in their language, as they choose) or to a bare address.
    `link` is the path of the message's main action; `context` is what its templates show, kept as JSON
    (dates become ISO text): the message says what was true when it was queued."""
    user = to if isinstance(to, User) else None
    email = Email(
        message_id=f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>",
        kind=kind.name,
        user_id=user.id if user else None,
        to_address=user.email if user else str(to),
        locale=(user.locale if user else locale) or DEFAULT_LOCALE,
        context=to_jsonable_python(context | {"link": link, "name": user.name if user else None}),
    )
    session.add(email)
    return email


def send_each(session: Session, kind: Kind, people: Iterable[User], **arguments: Any) -> None:
    """The same message to each person, each in their own language."""
    for person in people:
        send(session, kind, person, **arguments)
