"""The audit log for administrators: a paginated page, newest first, filtered by family, and its CSV."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from market import csvfiles
from market.accounts.models import User
from market.admin import audit
from market.admin.models import AuditEntry
from market.bounds import PageNumber
from market.db import DbSession
from market.i18n import gettext as _
from market.mexico import local_time
from market.web import render, require_user, verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)
PER_PAGE = 50


def _family(action: str | None) -> str | None:
    """An action family from the filter, as the prefix the log is searched by; anything else: all."""
    return f"{action}." if action in audit.FAMILIES else None


@router.get("/auditoria", name="admin.log_page")
def log_page(
    request: Request,
    action: str | None = None,
    page: PageNumber = 1,
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    """The parameters are those of GET /api/v1/admin/audit (the page filters by families only)."""
    found = audit.entries(session, user, _family(action), page, PER_PAGE)
    return render(
        request,
        "admin/audit.html",
        {
            "page": found,
            "urls": audit.target_urls(session, found.items),
            "action": action if _family(action) else "",
            "query": urlencode({"action": action}) if _family(action) else "",
            "FAMILIES": audit.FAMILIES,
            "ACTION_LABELS": audit.ACTION_LABELS,
            "TARGET_LABELS": audit.TARGET_LABELS,
        },
        user=user,
    )


def _row(entry: AuditEntry, actor: User) -> list[csvfiles.Cell]:
    return [
        local_time(entry.created_at),
        actor.name,
        actor.email,
        _(audit.action_label(entry.action)),
        entry.action,
        _(audit.TARGET_LABELS.get(entry.target_type, entry.target_type)),
        entry.target_id,
        entry.target_label,
        entry.reason,
        json.dumps(entry.details, ensure_ascii=False, sort_keys=True) if entry.details else "",
    ]


@router.get("/auditoria.csv", name="admin.log_csv")
def log_csv(
    action: str | None = None, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    header = [
        _("Fecha"),
        _("Quién"),
        _("Correo"),
        _("Acción"),
        _("Código de la acción"),
        _("Sobre"),
        _("Id"),
        _("Nombre"),
        _("Motivo"),
        _("Detalles"),
    ]
    rows = (_row(entry, actor) for entry, actor in audit.all_entries(session, user, _family(action)))
    return csvfiles.response("auditoria.csv", header, rows)
