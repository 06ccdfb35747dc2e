"""The worker's reminders of supplier documents: the owners hear that an approved document in force expires
in REMIND_DAYS days (15, then 3) and, once its date passes, that it expired, each once per document, however
many workers run the job at once: a reminder is claimed by a conditional UPDATE of `reminded_days` that only
one transaction can make."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.db import transaction
from market.documents import checklist
from market.documents.models import DocumentStatus, SupplierDocument
from market.documents.service import tell
from market.organizations.models import Organization

REMIND_DAYS = (15, 3)  # ahead of the expiry date; 0 stands for "it expired"


def _threshold(days_left: int) -> int | None:
    """The smallest reminder due with `days_left` days to go (0: expired), or None when none is yet."""
    if days_left < 0:
        return 0
    due = [days for days in REMIND_DAYS if days_left <= days]
    return min(due) if due else None


def remind(session: Session, now: datetime | None = None) -> int:
    """Queue the reminders due; returns how many documents got one."""
    day = checklist.today(now)
    horizon = day + timedelta(days=max(REMIND_DAYS))
    due = session.exec(
        select(SupplierDocument).where(
            SupplierDocument.status == DocumentStatus.APPROVED,
            col(SupplierDocument.superseded_at).is_(None),
            col(SupplierDocument.expires_on).is_not(None),
            col(SupplierDocument.expires_on) <= horizon,
            or_(col(SupplierDocument.reminded_days).is_(None), col(SupplierDocument.reminded_days) > 0),
        )
    ).all()
    sent = 0
    for document in due:
        assert document.expires_on is not None
        threshold = _threshold((document.expires_on - day).days)
        if threshold is None or (document.reminded_days is not None and document.reminded_days <= threshold):
            continue
        claimed = (
            update(SupplierDocument)
            .where(
                col(SupplierDocument.id) == document.id,
                col(SupplierDocument.status) == DocumentStatus.APPROVED,
                col(SupplierDocument.superseded_at).is_(None),
                or_(
                    col(SupplierDocument.reminded_days).is_(None),
                    col(SupplierDocument.reminded_days) > threshold,
                ),
            )
            .values(reminded_days=threshold)
        )
        if session.execute(claimed).rowcount != 1:  # type: ignore[attr-defined]
            continue  # another worker told them (or the document was replaced meanwhile)
        organization = session.get(Organization, document.organization_id)
        assert organization is not None
        tell(
            session,
            organization,
            document,
            "expired" if threshold == 0 else "expiring",
            days=(document.expires_on - day).days,
        )
        sent += 1
    session.expire_all()  # the UPDATEs went around the loaded rows
    return sent


def remind_in(db: Engine) -> int:
    """The worker's hourly run, in its own transaction."""
    with transaction(db) as session:
        return remind(session)
