"""JSON API for an organization's fiscal data and CSD: its members read them, its owners change them; its
owners also cancel a stamped invoice (with its SAT motive) and issue a refused one again."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from pydantic import BaseModel, Field

from market.bounds import Id
from market.deps import ApiUserDep, SessionDep, SettingsDep
from market.invoicing import cancellation, csd_store, fiscal_profile, reissue
from market.invoicing.fiscal_profile import FiscalProfileUpdate, FiscalState
from market.invoicing.models import Invoice
from market.organizations import service
from market.web import upload_bytes

router = APIRouter(prefix="/organizations", tags=["invoicing"])


@router.get("/{slug}/fiscal-profile", response_model=FiscalState)
def get_fiscal_profile(slug: str, user: ApiUserDep, session: SessionDep) -> FiscalState:
    organization = service.get_managed(session, slug, user)
    return fiscal_profile.state_of(session, user, organization)


@router.put(
    "/{slug}/fiscal-profile",
    response_model=FiscalState,
    responses={422: {"description": "A field is wrong (régimen of the other kind of person, unknown CP...)"}},
)
def put_fiscal_profile(
    slug: str, data: FiscalProfileUpdate, user: ApiUserDep, session: SessionDep
) -> FiscalState:
    """The RFC is the organization's own (PATCH /organizations/{slug}); it must be set first."""
    organization = service.get_managed(session, slug, user)
    fiscal_profile.save(session, user, organization, data)
    return fiscal_profile.state_of(session, user, organization)


@router.post(
    "/{slug}/csd",
    response_model=FiscalState,
    responses={
        409: {"description": "The organization has no RFC yet"},
        422: {"description": "The field that is wrong: certificate, key or password; nothing was stored"},
    },
)
def upload_csd(
    slug: str,
    certificate: UploadFile,
    key: UploadFile,
    password: Annotated[str, Form()],
    request: Request,
    user: ApiUserDep,
    settings: SettingsDep,
    session: SessionDep,
) -> FiscalState:
    """The organization's CSD (.cer, .key and the key's password), replacing the one it had. The key and the
    password are kept encrypted and never returned."""
    organization = service.get_managed(session, slug, user)
    csd_store.upload(
        session,
        settings,
        user,
        organization,
        upload_bytes(request, certificate),
        upload_bytes(request, key),
        password,
    )
    return fiscal_profile.state_of(session, user, organization)


class InvoiceCancel(BaseModel):
    motive: str = Field(max_length=2, description="c_MotivoCancelacion: 01, 02 or 03")
    substitute: str | None = Field(
        default=None,
        max_length=36,
        description="With 01: the UUID of the stamped invoice that replaces it",
    )


class InvoiceState(BaseModel):
    id: int
    kind: str
    status: str
    serie: str | None
    folio: int | None
    uuid: str | None
    cancel_motive: str | None
    cancelled_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceState:
        assert invoice.id is not None
        return cls(
            id=invoice.id,
            kind=invoice.kind.value,
            status=invoice.status.value,
            serie=invoice.serie,
            folio=invoice.folio,
            uuid=invoice.uuid,
            cancel_motive=invoice.cancel_motive,
            cancelled_at=invoice.cancelled_at,
            last_error=invoice.last_error,
        )


@router.post(
    "/{slug}/invoices/{invoice_id}/cancel",
    response_model=InvoiceState,
    status_code=202,
    responses={
        403: {"description": "Not an owner of the organization"},
        404: {"description": "No such invoice of this organization"},
        409: {"description": "The invoice is not stamped, or its cancellation was already asked"},
        422: {"description": "A wrong motive, or a substitute that is not a stamped invoice of the issuer"},
    },
)
def cancel_invoice(
    slug: str, invoice_id: Id, data: InvoiceCancel, user: ApiUserDep, session: SessionDep
) -> InvoiceState:
    """Ask the PAC to cancel a stamped invoice; the worker does it (status `cancelada` once confirmed, with
    the acuse at /facturas/{id}/acuse.xml)."""
    organization = service.get_managed(session, slug, user)
    invoice = cancellation.cancel_by_owner(
        session, user, organization, invoice_id, data.motive, data.substitute
    )
    return InvoiceState.of(invoice)


@router.post(
    "/{slug}/invoices/{invoice_id}/reissue",
    response_model=InvoiceState,
    status_code=202,
    responses={
        403: {"description": "Not an owner of the organization"},
        404: {"description": "No such invoice of this organization"},
        409: {"description": "The invoice is not refused"},
    },
)
def reissue_invoice(slug: str, invoice_id: Id, user: ApiUserDep, session: SessionDep) -> InvoiceState:
    """Issue a refused invoice again with the organization's fiscal data and CSD as they are now."""
    organization = service.get_managed(session, slug, user)
    return InvoiceState.of(reissue.by_owner(session, user, organization, invoice_id))
