"""The worker reminds the owners of an approved document 15 and 3 days before it expires, and tells them
once it expired: each once per document, with two workers running the job at the same moment; a renewal
gets reminders of its own, and a replaced one none."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.config import Settings
from market.db import transaction
from market.documents import reminders, service
from market.documents.models import SupplierDocument
from market.documents.service import DocumentUpload
from market.mail.models import Email
from market.mail.render import render
from market.mexico import MEXICO_CITY
from tests.documents.conftest import CODES, World, later, pdf
from tests.helpers import MAIL_SETTINGS, at_once, emails, fresh
from tests.mail.examples_documents import VARIANTS


def approved(
    session: Session, settings: Settings, world: World, expires_in: int, code: str = CODES[0]
) -> SupplierDocument:
    data = DocumentUpload(kind=f"certificacion:{code}", issued_on=later(-30), expires_on=later(expires_in))
    document = service.upload(session, settings, world.owner, world.org, data, pdf(), "cert.pdf")
    session.commit()
    service.approve(session, world.admin, document.id or 0)
    session.commit()
    return document


def noon_in(days: int) -> datetime:
    """Noon in Mexico City, `days` from today."""
    return datetime.combine(later(days), time(12), MEXICO_CITY).astimezone(UTC)


def reminders_sent(session: Session) -> list[tuple[str, str]]:
    """(to whom, the event) of each reminder queued."""
    return sorted(
        (e["to"], e["subject"].split("«")[1].split("»")[1].strip())
        for e in emails(session)
        if e["kind"] == "supplier_document" and "aprobamos" not in e["subject"]
    )


def test_reminders_go_at_15_and_3_days_and_on_expiry_once_each_with_two_workers(
    session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    document = approved(session, settings, world, expires_in=40)
    assert document.expires_on == later(40)

    def run(days_from_now: int) -> str:
        with transaction(engine) as worker:
            return str(reminders.remind(worker, noon_in(days_from_now)))

    outcomes = [at_once(lambda d=d: run(d)) for d in (20, 25, 26, 30, 36, 37, 38, 40, 41, 45)]  # type: ignore[misc]
    assert outcomes == [
        ["0", "0"],  # 20 days to go
        ["0", "1"],  # 15: the first reminder
        ["0", "0"],
        ["0", "0"],
        ["0", "0"],  # 4 to go
        ["0", "1"],  # 3: the second
        ["0", "0"],
        ["0", "0"],  # its last day: still in force
        ["0", "1"],  # the day after: expired
        ["0", "0"],
    ]
    assert fresh(session, SupplierDocument, document.id).reminded_days == 0
    sent = reminders_sent(session)
    assert len(sent) == 6  # three messages to two owners; the member gets none
    assert {to for to, _event in sent} == {"rosa@example.mx", "juana@example.mx"}
    assert [event for to, event in sent if to == "rosa@example.mx"] == sorted(
        [f"vence el {later(40).strftime('%d/%m/%Y')}", f"vence el {later(40).strftime('%d/%m/%Y')}", "venció"]
    )


def test_a_document_found_late_gets_only_the_latest_reminder_and_a_replaced_one_none(
    session: Session, settings: Settings, world: World
) -> None:
    late = approved(session, settings, world, expires_in=2)
    assert reminders.remind(session, noon_in(0)) == 1
    assert fresh(session, SupplierDocument, late.id).reminded_days == 3
    session.commit()

    renewal = approved(session, settings, world, expires_in=200)  # approving it replaces the first
    assert reminders.remind(session, noon_in(3)) == 0  # the replaced one is not announced as expired
    assert reminders.remind(session, noon_in(186)) == 1  # the renewal's own 15-day reminder
    assert fresh(session, SupplierDocument, renewal.id).reminded_days == 15


def test_a_pending_or_rejected_document_gets_no_reminder(
    session: Session, settings: Settings, world: World
) -> None:
    data = DocumentUpload(kind=f"certificacion:{CODES[1]}", issued_on=later(-30), expires_on=later(5))
    service.upload(session, settings, world.owner, world.org, data, pdf(), "cert.pdf")
    session.commit()
    assert reminders.remind(session, noon_in(4)) == 0


def test_every_variant_of_the_message_renders_in_both_languages() -> None:
    for kind, context in VARIANTS:
        for locale in ("es", "en"):
            email = Email(
                message_id="<x@y>",
                kind=kind,
                to_address="a@b.mx",
                context=context | {"name": "Ana"},
                locale=locale,
            )
            rendered = render(email, MAIL_SETTINGS)
            assert rendered.subject and "Café de la Sierra" in rendered.text
