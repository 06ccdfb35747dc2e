"""The producer's day in one message: for each person who chose the daily digest, once per day (Mexico City
time) at or after `settings.digest_hour`, the messages held for them (new orders, demands to quote, messages,
reviews) go out as one e-mail listing each with its link, and are marked DIGESTED with that e-mail's id.

Any number of workers may run this at once: a person's digest is claimed by a compare-and-set on their
`last_digest_at`, the first statement of its transaction and a write, so a second worker waits for the first
(a row lock on PostgreSQL, the write lock on SQLite) and then finds the day's digest already claimed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction, utcnow
from market.mail import kinds, preferences
from market.mail.kinds import KINDS, Topic
from market.mail.models import Email, EmailPreference, EmailStatus
from market.mail.queue import send
from market.mail.render import render
from market.mexico import MEXICO_CITY
from market.urls import path_for

log = logging.getLogger(__name__)

DIGEST_SECONDS = 300  # how often the worker looks for digests that are due


def due_since(now: datetime, hour: int) -> datetime | None:
    """Today's digest moment (Mexico City) once it has come, in UTC; None before it."""
    local = now.astimezone(MEXICO_CITY)
    if local.hour < hour:
        return None
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(UTC)


def send_digests(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    """Queue the digests that are due; returns how many. Held messages of someone who no longer wants the
    digest are released to go one by one."""
    now = now or utcnow()
    since = due_since(now, settings.digest_hour)
    with Session(engine) as session:
        waiting = [
            user_id
            for user_id in session.exec(
                select(Email.user_id).where(Email.status == EmailStatus.HELD).distinct()
            )
            if user_id is not None
        ]
    queued = 0
    for user_id in waiting:
        with transaction(engine) as session:
            preference = session.get(EmailPreference, user_id)
            if preference is None or not preference.daily_digest:
                preferences.release_held(session, user_id)
            elif since is not None:
                queued += digest_for(session, settings, user_id, now, since)
    return queued


def digest_for(session: Session, settings: Settings, user_id: int, now: datetime, since: datetime) -> bool:
    """One person's digest, if today's is still theirs to send: claimed first (see the module's note)."""
    claimed = session.execute(
        update(EmailPreference)
        .where(
            col(EmailPreference.user_id) == user_id,
            col(EmailPreference.daily_digest),
            or_(col(EmailPreference.last_digest_at).is_(None), col(EmailPreference.last_digest_at) < since),
        )
        .values(last_digest_at=now)
    )
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        return False  # sent today already (by us or another worker), or the digest was turned off
    preference = session.get(EmailPreference, user_id, populate_existing=True)
    person = session.get(User, user_id)
    assert preference is not None and person is not None
    held = list(
        session.exec(
            select(Email)
            .where(Email.user_id == user_id, Email.status == EmailStatus.HELD)
            .order_by(col(Email.id))
        )
    )
    kept: list[Email] = []
    for email in held:
        kind = KINDS[email.kind]
        if not kind.essential and kind.topic in preference.muted:  # turned off since it was held
            email.status = EmailStatus.SUPPRESSED
        else:
            kept.append(email)
    if not kept:
        return False
    digest = send(
        session,
        kinds.DIGEST,
        person,
        link=path_for("organizations.dashboard"),
        groups=_groups(kept, person, settings),
        count=len(kept),
        day=now.astimezone(MEXICO_CITY).date(),
    )
    session.flush()
    for email in kept:
        email.status, email.digest_id = EmailStatus.DIGESTED, digest.id
        session.add(email)
    return True


def _groups(held: list[Email], person: User, settings: Settings) -> list[dict[str, Any]]:
    """The held messages by topic (new orders, demands to quote, messages, reviews), each as its subject in
    the person's language and the path of its link."""
    items: dict[Topic, list[dict[str, Any]]] = {}
    for email in held:
        email.locale = person.locale
        try:
            subject = render(email, settings).subject
        except Exception:  # a template fault must not keep the rest of the day's news from them
            log.exception("e-mail %s could not be rendered for a digest", email.id)
            subject = None
        items.setdefault(KINDS[email.kind].topic, []).append(
            {"kind": email.kind, "subject": subject, "link": email.context.get("link")}
        )
    return [{"topic": topic.value, "items": items[topic]} for topic in Topic if topic in items]
