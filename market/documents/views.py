"""The organization's Documentos page (members see the checklist, owners upload), and one document's file
for whoever may read it (members, administrators, institutions the organization quoted to)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from market.accounts.models import User
from market.bounds import Id
from market.config import Settings
from market.deps import FormDep, PageDep, SessionDep, SettingsDep, UserDep
from market.documents import checklist, files, service
from market.documents.models import SupplierDocument
from market.documents.service import DocumentUpload
from market.errors import StorageUnavailable, TooManyUploads, ValidationFailed
from market.forms import FormInvalid, text_fields, validate
from market.i18n import gettext as _
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.web import PageContext, flash, refusable, refused, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def file_response(settings: Settings, document: SupplierDocument) -> Response:
    """The file as a download, never cached by a shared cache, never sniffed as something else."""
    stored = service.file_of(settings, document)
    name = files.download_name(document.file_name, document.content_type)
    return Response(
        stored.data,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _page(
    page: PageContext,
    session: Session,
    user: User,
    organization: Organization,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    entries = service.checklist_of(session, user, organization)
    return page.render(
        "documents/page.html",
        {
            "org": organization,
            "role": organizations.role_in(session, user, organization),
            "entries": entries,
            "day": checklist.today(),
            "Standing": checklist.Standing,
            "values": values or {},
            "errors": errors or {},
            "max_mb": files.MAX_BYTES // (1024 * 1024),
            "soon_days": checklist.SOON_DAYS,
        },
        status,
    )


@router.get("/panel/o/{slug}/documentos", name="documents.page")
def documents_page(
    slug: str,
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    chosen: Annotated[str, Query(alias="documento", max_length=100)] = "",
) -> Response:
    organization = organizations.get_managed(session, slug, user)
    return _page(page, session, user, organization, {"kind": chosen})


@router.post("/panel/o/{slug}/documentos", name="documents.upload")
def upload(
    slug: str,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    organization = organizations.get_managed(session, slug, user)
    organizations.require_owner(session, user, organization)
    values = text_fields(form)
    sent = form.get("file")
    content = sent.file.read(files.MAX_BYTES + 1) if isinstance(sent, UploadFile) else b""
    name = sent.filename or "" if isinstance(sent, UploadFile) else ""
    try:
        data = validate(DocumentUpload, values)
        with refusable(session):
            document = service.upload(session, settings, user, organization, data, content, name)
    except (FormInvalid, ValidationFailed) as exc:
        errors = exc.errors if isinstance(exc, FormInvalid) else exc.body()["fields"]
        return _page(page, session, user, organization, values, errors, 422)
    except (TooManyUploads, StorageUnavailable) as exc:
        return refused(_page(page, session, user, organization, values, {"form": exc.detail}), exc)
    flash(
        request,
        _("Recibimos «{document}». El equipo lo revisará y te avisaremos por correo.").format(
            document=_(service.label_of(document))
        ),
    )
    return page.redirect(page.url("documents.page", slug=organization.slug))


@router.get("/productores/{slug}/documentos/{document_id}", name="documents.file")
def document_file(
    slug: str, document_id: Id, user: UserDep, settings: SettingsDep, session: SessionDep
) -> Response:
    organization = organizations.get_by_slug(session, slug)
    return file_response(settings, service.readable(session, user, organization, document_id))
