"""JSON API of supplier documents: an organization's checklist and uploads (members read, owners upload),
one file (members, administrators, institutions it quoted to), and the administrators' review."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import Response

from market.bounds import Id
from market.deps import ApiUserDep, SessionDep, SettingsDep
from market.documents import files, service
from market.documents.schemas import DocumentPublic, RequirementPublic
from market.documents.service import DocumentUpload
from market.documents.views import file_response
from market.organizations import service as organizations
from market.organizations.schemas import Decision

router = APIRouter(tags=["documents"])


@router.get("/organizations/{slug}/documents", response_model=list[RequirementPublic])
def list_documents(slug: str, user: ApiUserDep, session: SessionDep) -> list[RequirementPublic]:
    """Each document the organization must keep on file, where it stands, and its uploads."""
    organization = organizations.get_managed(session, slug, user)
    return [RequirementPublic.of(e, slug) for e in service.checklist_of(session, user, organization)]


@router.post(
    "/organizations/{slug}/documents",
    response_model=DocumentPublic,
    status_code=201,
    responses={
        403: {"description": "Not an owner of the organization"},
        422: {
            "description": "The field that is wrong (kind, certification, dates, file); nothing was stored"
        },
        429: {"description": "The person's uploads per hour are used up"},
    },
)
def upload_document(
    slug: str,
    file: UploadFile,
    kind: Annotated[str, Form(description="A requirement's key: a kind, or certificacion:<code>")],
    user: ApiUserDep,
    settings: SettingsDep,
    session: SessionDep,
    issued_on: Annotated[date | None, Form()] = None,
    expires_on: Annotated[
        date | None, Form(description="An Opinión 32-D defaults to 30 days after issue")
    ] = None,
    certification: Annotated[str, Form()] = "",
) -> DocumentPublic:
    """A PDF, JPEG or PNG of at most 10 MB; it waits for an administrator's review."""
    organization = organizations.get_managed(session, slug, user)
    data = DocumentUpload(kind=kind, certification=certification, issued_on=issued_on, expires_on=expires_on)
    document = service.upload(
        session, settings, user, organization, data, file.file.read(files.MAX_BYTES + 1), file.filename or ""
    )
    return DocumentPublic.of(document, slug)


@router.get(
    "/organizations/{slug}/documents/{document_id}/file",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}}},
)
def document_file(
    slug: str, document_id: Id, user: ApiUserDep, settings: SettingsDep, session: SessionDep
) -> Response:
    organization = organizations.get_by_slug(session, slug)
    document = service.readable(session, user, organization, document_id)
    return file_response(settings, document)


@router.get("/admin/documents", response_model=list[DocumentPublic], tags=["admin"])
def review_queue(user: ApiUserDep, session: SessionDep) -> list[DocumentPublic]:
    """Documents waiting for review, oldest first."""
    return [
        DocumentPublic.of(row.document, row.organization.slug) for row in service.review_queue(session, user)
    ]


@router.post("/admin/documents/{document_id}/approve", response_model=DocumentPublic, tags=["admin"])
def approve(document_id: Id, user: ApiUserDep, session: SessionDep) -> DocumentPublic:
    document = service.approve(session, user, document_id)
    _document, organization = service.for_review(session, user, document_id)
    return DocumentPublic.of(document, organization.slug)


@router.post("/admin/documents/{document_id}/reject", response_model=DocumentPublic, tags=["admin"])
def reject(document_id: Id, decision: Decision, user: ApiUserDep, session: SessionDep) -> DocumentPublic:
    document = service.reject(session, user, document_id, decision.reason)
    _document, organization = service.for_review(session, user, document_id)
    return DocumentPublic.of(document, organization.slug)
