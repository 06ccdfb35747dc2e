"""What follows a change to an organization, wherever it is made: search follows it, its owners hear of it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from market.db import utcnow
from market.mail.kinds import Kind
from market.mail.queue import send_each
from market.organizations.models import Organization
from market.organizations.people import owners_of
from market.outbox import search_changed


def touched(session: Session, organization: Organization) -> None:
    """Everything shown about the organization's listings may have changed: follow it in search."""
    organization.updated_at = utcnow()
    search_changed(session, organization_id=organization.id)


def notify_owners(
    session: Session, organization: Organization, kind: Kind, *, link: str | None = None, **context: Any
) -> None:
    """A message of `kind` to each owner of the organization, in their language; its templates get the
    organization's name as `organization` besides `context`."""
    send_each(
        session,
        kind,
        owners_of(session, organization.id),
        link=link,
        organization=organization.name,
        **context,
    )
