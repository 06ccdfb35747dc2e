"""What each person chose to receive: topics turned off, and the daily digest instead of one message per
event (for producers' members)."""

from __future__ import annotations

from sqlmodel import Session

from market.mail.kinds import Kind
from market.mail.models import Email, EmailPreference, EmailStatus


def verdict(session: Session, email: Email, kind: Kind) -> EmailStatus:
    """QUEUED: send it now; HELD: it waits for the person's digest; SUPPRESSED: they turned its topic off."""
    preference = session.get(EmailPreference, email.user_id) if email.user_id is not None else None
    if preference is None:
        return EmailStatus.QUEUED
    if not kind.essential and kind.topic in preference.muted:
        return EmailStatus.SUPPRESSED
    if kind.digest and preference.daily_digest:
        return EmailStatus.HELD
    return EmailStatus.QUEUED
