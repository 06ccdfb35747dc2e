"""Changes of a verified organization's name, RFC or CLABE: held for an administrator's review, written to
the audit log and e-mailed to every owner when asked for and when decided. Until approved, the live values
(those payouts go to and invoices carry) stay as they are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin import audit
from market.db import utcnow
from market.errors import Conflict, NotFound
from market.i18n import N_
from market.mail import kinds
from market.organizations.effects import notify_owners, touched
from market.organizations.models import (
    PAYOUT_FIELDS,
    ChangeStatus,
    Organization,
    OrganizationChange,
    VerificationStatus,
)
from market.urls import path_for

FIELD_LABELS = {"name": N_("Nombre"), "rfc": N_("RFC"), "clabe": N_("CLABE")}


def held_back(organization: Organization, values: dict[str, Any]) -> dict[str, Any]:
    """The payout fields of `values` that differ from a verified organization's live ones (nothing is held
    for one not yet verified: the review of its whole registration is still to come)."""
    if organization.verification_status != VerificationStatus.VERIFIED:
        return {}
    return {f: values[f] for f in PAYOUT_FIELDS if f in values and values[f] != getattr(organization, f)}


def pending_of(session: Session, organization_id: int | None) -> OrganizationChange | None:
    return session.exec(
        select(OrganizationChange).where(
            OrganizationChange.organization_id == organization_id,
            OrganizationChange.status == ChangeStatus.PENDING,
        )
    ).first()


def _masked(field: str, value: str | None) -> str:
    """How a value reads in an e-mail: a CLABE by its last four digits only."""
    if value is None:
        return "—"
    return f"…{value[-4:]}" if field == "clabe" else value


def _summary(organization: Organization, changes: dict[str, str | None]) -> list[dict[str, str]]:
    """What changes, as the e-mails show it: each field's code, its value now and the one asked for."""
    return [
        {"field": f, "from": _masked(f, getattr(organization, f)), "to": _masked(f, new)}
        for f, new in changes.items()
    ]


def _diff(organization: Organization, changes: dict[str, str | None]) -> dict[str, Any]:
    return {f: {"from": getattr(organization, f), "to": value} for f, value in changes.items()}


def _notify(session: Session, organization: Organization, event: str, **context: Any) -> None:
    link = path_for("organizations.manage", slug=organization.slug)
    notify_owners(session, organization, kinds.ORGANIZATION_NEWS, link=link, event=event, **context)


def request(
    session: Session, owner: User, organization: Organization, changes: dict[str, str | None]
) -> OrganizationChange:
    """Hold `changes` for review (the caller checked that `owner` owns the organization). A change still
    pending is superseded by a new one with both sets of values: an administrator who opened the old one
    cannot approve values it did not see."""
    assert owner.id is not None and organization.id is not None
    previous = pending_of(session, organization.id)
    if previous is not None:
        _settle(session, previous, ChangeStatus.SUPERSEDED)
    change = OrganizationChange(
        organization_id=organization.id,
        requested_by_id=owner.id,
        changes=(previous.changes if previous else {}) | changes,
    )
    try:
        with session.begin_nested():  # one pending change per organization (a unique index)
            session.add(change)
            session.flush()
    except IntegrityError:
        raise Conflict(
            N_("Otra persona de tu organización pidió un cambio en este momento: recarga la página.")
        ) from None
    audit.record(
        session,
        owner,
        "organization.change_request",
        "organization",
        organization.id,
        organization.name,
        change_id=change.id,
        changes=_diff(organization, changes),
    )
    _notify(
        session,
        organization,
        "change_requested",
        requested_by=owner.name,
        changes=_summary(organization, changes),
        reason=None,
    )
    return change


def pending(session: Session, admin: User) -> list[tuple[OrganizationChange, Organization, User]]:
    """What waits for a decision, oldest first, with the organization and who asked."""
    audit.require_admin(admin)
    rows = session.exec(
        select(OrganizationChange, Organization, User)
        .join(Organization, col(Organization.id) == OrganizationChange.organization_id)
        .join(User, col(User.id) == OrganizationChange.requested_by_id)
        .where(OrganizationChange.status == ChangeStatus.PENDING)
        .order_by(col(OrganizationChange.created_at))
    ).all()
    return [(change, organization, user) for change, organization, user in rows]


def _open(session: Session, admin: User, change_id: int) -> tuple[OrganizationChange, Organization]:
    audit.require_admin(admin)  # before the lookup: others cannot probe which changes exist
    change = session.get(OrganizationChange, change_id)
    if change is None:
        raise NotFound()
    if change.status == ChangeStatus.SUPERSEDED:
        raise Conflict(N_("La organización cambió su solicitud mientras la revisabas: revisa la nueva."))
    if change.status != ChangeStatus.PENDING:
        raise Conflict(N_("Ese cambio ya se decidió."))
    organization = session.get(Organization, change.organization_id)
    assert organization is not None
    return change, organization


def _settle(session: Session, change: OrganizationChange, status: ChangeStatus) -> None:
    """Move a pending change on, once: of an approval and a new edit at the same moment, the first wins and
    the other is told the change is no longer pending (a conditional UPDATE, as orders do)."""
    moved = session.execute(
        update(OrganizationChange)
        .where(
            col(OrganizationChange.id) == change.id, col(OrganizationChange.status) == ChangeStatus.PENDING
        )
        .values(status=status)
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict(N_("Ese cambio ya no está pendiente: recarga la página para ver el actual."))
    change.status = status


def _decided(
    session: Session, change: OrganizationChange, admin: User, status: ChangeStatus, reason: str | None = None
) -> None:
    _settle(session, change, status)
    change.reason = reason
    change.decided_by_id, change.decided_at = admin.id, utcnow()


def approve(session: Session, admin: User, change_id: int) -> tuple[OrganizationChange, Organization]:
    change, organization = _open(session, admin, change_id)
    diff, summary = _diff(organization, change.changes), _summary(organization, change.changes)
    _decided(session, change, admin, ChangeStatus.APPROVED)
    for field, value in change.changes.items():
        setattr(organization, field, value)
    touched(session, organization)  # the name shows in search
    audit.record(
        session,
        admin,
        "organization.change_approve",
        "organization",
        organization.id or 0,
        organization.name,
        change_id=change.id,
        changes=diff,
    )
    _notify(session, organization, "change_approved", changes=summary, reason=None)
    return change, organization


def reject(
    session: Session, admin: User, change_id: int, reason: str | None
) -> tuple[OrganizationChange, Organization]:
    change, organization = _open(session, admin, change_id)
    reason = audit.required_reason(reason, N_("Explica el motivo para que la organización pueda corregirlo."))
    _decided(session, change, admin, ChangeStatus.REJECTED, reason)
    audit.record(
        session,
        admin,
        "organization.change_reject",
        "organization",
        organization.id or 0,
        organization.name,
        reason,
        change_id=change.id,
        changes=_diff(organization, change.changes),
    )
    _notify(
        session,
        organization,
        "change_rejected",
        changes=_summary(organization, change.changes),
        reason=reason,
    )
    return change, organization
