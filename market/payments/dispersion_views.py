"""Administrators' pages of dispersion files: the list with what a new file would hold, generating one, a
file's page (download it again, upload the bank's result, see the report)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from market import i18n
from market.accounts.models import User
from market.admin import audit
from market.bounds import Id
from market.deps import PageDep, SessionDep, SettingsDep, UserDep
from market.i18n import gettext as _
from market.money import format_mxn
from market.payments import dispersion as dispersions
from market.payments import dispersion_format as layout
from market.web import PageContext, flash, flash_failure, refusable, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/admin/dispersiones", name="payments.dispersions")
def dispersions_page(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    plan = dispersions.preview(session, user)
    return page.render(
        "payments/dispersions.html", {"plan": plan, "dispersions": dispersions.recent(session, user)}
    )


@router.post("/admin/dispersiones", name="payments.create_dispersion")
def create_dispersion(
    request: Request, page: PageDep, user: UserDep, settings: SettingsDep, session: SessionDep
) -> Response:
    audit.require_admin(user)
    created = None
    with flash_failure(request, session, 409):
        created = dispersions.create(session, user, settings.platform_clabe)
        message = _(
            "Dispersión generada: {n} transferencias por {amount}. Descarga el archivo y súbelo al banco."
        )
        flash(
            request,
            message.format(
                n=created.line_count, amount=format_mxn(created.total_cents, i18n.current_locale.get())
            ),
        )
    if created is None:
        return page.redirect(page.url("payments.dispersions"))
    return page.redirect(page.url("payments.dispersion", dispersion_id=created.id))


def _detail(
    page: PageContext, session: Session, user: User, dispersion_id: int, status: int = 200, **context: Any
) -> Response:
    dispersion = dispersions.get(session, user, dispersion_id)
    return page.render(
        "payments/dispersion.html",
        {"dispersion": dispersion, "lines": dispersions.lines_of(session, dispersion_id)} | context,
        status,
    )


@router.get("/admin/dispersiones/{dispersion_id}", name="payments.dispersion")
def dispersion_page(dispersion_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    return _detail(page, session, user, dispersion_id)


@router.get("/admin/dispersiones/{dispersion_id}/archivo", name="payments.dispersion_file")
def dispersion_file(dispersion_id: Id, user: UserDep, session: SessionDep) -> Response:
    filename, content = dispersions.file_of(session, user, dispersion_id)
    return Response(
        content,
        media_type="text/plain; charset=us-ascii",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/admin/dispersiones/{dispersion_id}/resultado", name="payments.upload_dispersion_result")
def upload_result(
    dispersion_id: Id,
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    file: Annotated[UploadFile | None, File(alias="archivo")] = None,
) -> Response:
    dispersions.get(session, user, dispersion_id)  # 403 / 404 before reading anything
    if file is None or not file.filename:  # no file chosen: said beside the upload field
        missing = _("Elige el archivo de resultados que descargaste del banco.")
        return _detail(page, session, user, dispersion_id, 422, file_error=missing)
    try:
        with refusable(session):
            report = dispersions.apply_result(
                session, user, dispersion_id, file.file.read(layout.RESULT_MAX_BYTES + 1)
            )
    except dispersions.ResultRejected as exc:
        return _detail(
            page, session, user, dispersion_id, 422, result_error=exc.detail, result_problems=exc.problems
        )
    return _detail(page, session, user, dispersion_id, report=report)
