"""The audit log for administrators: a paginated page, newest first, filtered by family, and its CSV."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from market import csvfiles
from market.accounts.models import User
from market.admin import audit
from market.admin.models import AuditEntry
from market.bounds import PageNumber
from market.deps import PageDep, SessionDep, UserDep
from market.i18n import gettext as _
from market.mexico import local_time
from market.web import verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)
PER_PAGE = 50


def _family(action: str | None) -> str | None:
    """An action family from the filter, as the prefix the log is searched by; anything else: all."""
    return f"{action}." if action in audit.FAMILIES else None


@router.get("/auditoria", name="admin.log_page")
def log_page(
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    action: str | None = None,
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    """The parameters are those of GET /api/v1/admin/audit (the page filters by families only)."""
    found = audit.entries(session, user, _family(action), page_number, PER_PAGE)
    return page.render(
        "admin/audit.html",
        {
            "page": found,
            "targets": audit.target_routes(session, found.items),
            "action": action if _family(action) else "",
            "query": urlencode({"action": action}) if _family(action) else "",
            "FAMILIES": audit.FAMILIES,
            "ACTION_LABELS": audit.ACTION_LABELS,
            "TARGET_LABELS": audit.TARGET_LABELS,
        },
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
def log_csv(user: UserDep, session: SessionDep, action: str | None = None) -> Response:
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
