"""Who may administer, and the audit log every administrative action writes in its own transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin.models import AuditEntry
from market.errors import Forbidden
from market.i18n import N_
from market.pagination import Page, paginate


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden(N_("Solo el equipo de administración puede hacer esto."))


def record(
    session: Session,
    admin: User,
    action: str,
    target_type: str,
    target_id: int,
    target_label: str,
    reason: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Written with the change it describes: both commit, or neither does."""
    assert admin.id is not None
    entry = AuditEntry(
        actor_id=admin.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:200],
        reason=(reason or "").strip() or None,
        details=details,
    )
    session.add(entry)
    return entry


def entries(
    session: Session, admin: User, action: str | None = None, page: int = 1, per_page: int = 50
) -> Page[tuple[AuditEntry, User]]:
    """Newest first, with who acted; optionally one kind of action (`listing.suspend`) or a family
    (`listing.`)."""
    require_admin(admin)
    query = (
        select(AuditEntry, User)
        .join(User, col(User.id) == AuditEntry.actor_id)
        .order_by(col(AuditEntry.id).desc())
    )
    if action:
        query = query.where(col(AuditEntry.action).startswith(action))
    return paginate(session, query, page, per_page)
