"""Who may administer, and the audit log every administrative action writes in its own transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin.models import AuditEntry
from market.errors import Forbidden, ValidationFailed
from market.i18n import N_
from market.organizations.models import Organization
from market.pagination import Page, paginate

LIFT_REASON_MISSING = N_("Explica por qué levantas la suspensión.")
REASON_MAX = 1000  # AuditEntry.reason, Listing.suspension_reason, Organization.suspension_reason

# What each action is called on the audit pages; an action missing here shows its code.
ACTION_LABELS = {
    "organization.verify": N_("Organización verificada"),
    "organization.reject": N_("Organización rechazada"),
    "organization.suspend": N_("Organización suspendida"),
    "organization.reinstate": N_("Organización reactivada"),
    "organization.change_request": N_("Cambio de nombre, RFC o CLABE solicitado"),
    "organization.change_approve": N_("Cambio de nombre, RFC o CLABE aprobado"),
    "organization.change_reject": N_("Cambio de nombre, RFC o CLABE rechazado"),
    "organization.member_role": N_("Rol de una persona integrante cambiado"),
    "organization.member_remove": N_("Persona integrante quitada"),
    "organization.member_leave": N_("Persona integrante salió"),
    "organization.invitation_revoke": N_("Invitación cancelada"),
    "organization.member_join": N_("Persona integrante aceptó una invitación"),
    "document.approve": N_("Documento de organización aprobado"),
    "document.reject": N_("Documento de organización rechazado"),
    "buyer_organization.verify": N_("Institución verificada"),
    "buyer_organization.member_add": N_("Persona integrante agregada"),
    "buyer_organization.member_join": N_("Persona integrante aceptó una invitación"),
    "buyer_organization.invitation_revoke": N_("Invitación cancelada"),
    "buyer_organization.member_role": N_("Rol de una persona integrante cambiado"),
    "buyer_organization.member_remove": N_("Persona integrante quitada"),
    "buyer_organization.member_leave": N_("Persona integrante salió"),
    "buyer_organization.reject": N_("Institución rechazada"),
    "order.payment_confirmed": N_("Pago confirmado a mano"),
    "statement.deposit_matched": N_("Depósito del estado de cuenta aplicado"),
    "payout.send": N_("Pago enviado a una organización"),
    "refund.mark_sent": N_("Reembolso enviado"),
    "listing.suspend": N_("Producto suspendido"),
    "listing.restore": N_("Producto restablecido"),
    "dispute.refund": N_("Disputa resuelta con reembolso"),
    "dispute.release": N_("Disputa resuelta: pago liberado a la organización"),
    "user.confirm_email": N_("Correo confirmado a mano"),
    "user.sign_out": N_("Sesiones cerradas y tokens revocados en todos los dispositivos"),
    "email.requeue": N_("Correo rechazado puesto de nuevo en la cola"),
}
# The part of an action before the dot, to filter the log by.
FAMILIES = {
    "organization": N_("Organizaciones"),
    "buyer_organization": N_("Instituciones"),
    "document": N_("Documentos de organizaciones"),
    "listing": N_("Productos"),
    "order": N_("Pagos confirmados"),
    "statement": N_("Estados de cuenta"),
    "payout": N_("Pagos a productores"),
    "refund": N_("Reembolsos"),
    "dispute": N_("Disputas"),
    "user": N_("Cuentas de personas"),
    "email": N_("Correos"),
}
TARGET_LABELS = {
    "organization": N_("Organización"),
    "buyer_organization": N_("Institución"),
    "listing": N_("Producto"),
    "order": N_("Pedido"),
    "dispute": N_("Disputa"),
    "user": N_("Persona"),
    "email": N_("Correo"),
}


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden(N_("Solo el equipo de administración puede hacer esto."))


def required_reason(reason: str | None, missing: str) -> str:
    """An administrator's why, trimmed; `missing` (Spanish source) when it is empty. It fits the columns
    it is stored in (the audit log's, an organization's or a listing's suspension reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": missing})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": N_("El motivo admite hasta 1000 caracteres.")})
    return reason


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


def _log_query(action: str | None) -> Any:
    """Newest first, with who acted; optionally one kind of action (`listing.suspend`) or a family
    (`listing.`). The `_` of `buyer_organization` is matched as itself, not as a LIKE wildcard."""
    query = (
        select(AuditEntry, User)
        .join(User, col(User.id) == AuditEntry.actor_id)
        .order_by(col(AuditEntry.id).desc())
    )
    if action:
        query = query.where(col(AuditEntry.action).startswith(action, autoescape=True))
    return query


def entries(
    session: Session, admin: User, action: str | None = None, page: int = 1, per_page: int = 50
) -> Page[tuple[AuditEntry, User]]:
    require_admin(admin)
    return paginate(session, _log_query(action), page, per_page)


def all_entries(session: Session, admin: User, action: str | None = None) -> list[tuple[AuditEntry, User]]:
    """The whole log (or one family of it), for the CSV export."""
    require_admin(admin)
    return [(entry, actor) for entry, actor in session.exec(_log_query(action)).all()]


def action_label(action: str) -> str:
    """The Spanish source name of an action (translated when shown), or its code when it has none."""
    return ACTION_LABELS.get(action, action)


def target_routes(
    session: Session, rows: list[tuple[AuditEntry, User]]
) -> dict[int, tuple[str, dict[str, Any]]]:
    """The page of each entry's target where it has one (entry id -> route name and its parameters);
    organizations by their slug."""
    org_ids = {entry.target_id for entry, _actor in rows if entry.target_type == "organization"}
    slugs = dict(
        session.exec(
            select(Organization.id, Organization.slug).where(col(Organization.id).in_(org_ids))
        ).all()
    )
    routes = {
        "buyer_organization": ("linking.institution", "buyer_id"),
        "listing": ("catalog.listing", "listing_id"),
        "order": ("orders.order_page", "order_id"),
        "dispute": ("disputes.admin_case", "dispute_id"),
        "user": ("admin.person_page", "user_id"),
        "email": ("admin.mail_message", "email_id"),
    }
    targets: dict[int, tuple[str, dict[str, Any]]] = {}
    for entry, _actor in rows:
        assert entry.id is not None
        if entry.target_type == "organization" and entry.target_id in slugs:
            targets[entry.id] = ("organizations.profile", {"slug": slugs[entry.target_id]})
        elif entry.target_type in routes:
            name, parameter = routes[entry.target_type]
            targets[entry.id] = (name, {parameter: entry.target_id})
    return targets
