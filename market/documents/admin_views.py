"""The administrators' review of supplier documents: the queue, a file, approve or reject with a reason."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from market.bounds import Id
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.documents import checklist, service
from market.errors import NotFound
from market.i18n import gettext as _
from market.web import flash, flash_failure, verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/documentos", name="admin.documents")
def queue(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    rows = service.review_queue(session, user)
    return page.render(
        "documents/admin_queue.html", {"rows": rows, "label_of": service.label_of, "day": checklist.today()}
    )


@router.post("/documentos/{document_id}/{decision}", name="admin.decide_document")
def decide(
    document_id: Id,
    decision: str,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    service.for_review(session, user, document_id)  # administrators only, before anything else
    if decision not in ("aprobar", "rechazar"):
        raise NotFound()
    with flash_failure(request, session, 409, 422):
        if decision == "aprobar":
            document = service.approve(session, user, document_id)
            done = _("Aprobamos «{document}». Avisamos a quienes administran la organización.")
        else:
            document = service.reject(session, user, document_id, str(form.get("reason", "")))
            done = _("Rechazamos «{document}». Avisamos a quienes administran la organización.")
        flash(request, done.format(document=_(service.label_of(document))))
    return page.redirect(page.url("admin.documents"))
