"""JSON API of dispersion files (administrators): what a file would hold now, generating one, downloading it,
and uploading the bank's result; and, for a producer's members, the organization's payouts."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from market.bounds import Id
from market.deps import ApiUserDep, SessionDep, SettingsDep
from market.i18n import gettext as _
from market.organizations import service as organizations
from market.payments import dispersion as dispersions
from market.payments import dispersion_format as layout
from market.payments.models import Dispersion, DispersionStatus, Payout, PayoutStatus

router = APIRouter(tags=["payments"])


class PlanLinePublic(BaseModel):
    organization_id: int
    organization: str
    clabe: str
    amount_cents: int


class SkippedPublic(BaseModel):
    organization_id: int
    organization: str
    balance_cents: int
    reason: str


class PlanPublic(BaseModel):
    total_cents: int
    lines: list[PlanLinePublic]
    skipped: list[SkippedPublic]


class PayoutPublic(BaseModel):
    id: int
    organization_id: int
    amount_cents: int
    method: str
    status: PayoutStatus
    reference: str
    clabe: str | None
    tracking_key: str | None
    failure_reason: str | None
    dispersion_id: int | None
    created_at: datetime
    settled_at: datetime | None


class DispersionPublic(BaseModel):
    id: int
    status: DispersionStatus
    layout: str
    filename: str
    total_cents: int
    line_count: int
    created_at: datetime
    settled_at: datetime | None


class DispersionDetail(DispersionPublic):
    payouts: list[PayoutPublic]


class ResultLinePublic(BaseModel):
    row: int
    reference: str
    organization_id: int
    amount_cents: int
    tracking_key: str | None
    reason: str | None


class ResultReport(BaseModel):
    sent: list[ResultLinePublic]
    failed: list[ResultLinePublic]
    already_recorded: list[ResultLinePublic]
    # sent before without a clave de rastreo (recorded before one was required): the file's key is added
    tracking_key_added: list[ResultLinePublic] = []
    still_pending: int
    changed_nothing: bool


def _payout(payout: Payout) -> PayoutPublic:
    return PayoutPublic.model_validate(payout, from_attributes=True)


def _summary(dispersion: Dispersion) -> DispersionPublic:
    return DispersionPublic.model_validate(dispersion, from_attributes=True)


def _detail(session: SessionDep, dispersion: Dispersion) -> DispersionDetail:
    payouts = [_payout(p) for p, _org in dispersions.lines_of(session, dispersion.id or 0)]
    return DispersionDetail(**_summary(dispersion).model_dump(), payouts=payouts)


@router.get("/admin/dispersions", response_model=list[DispersionPublic])
def list_dispersions(user: ApiUserDep, session: SessionDep) -> list[DispersionPublic]:
    return [_summary(d) for d in dispersions.recent(session, user)]


@router.get("/admin/dispersions/preview", response_model=PlanPublic)
def preview_dispersion(user: ApiUserDep, session: SessionDep) -> PlanPublic:
    """What a dispersion generated now would hold, and who is owed money but left out (and why)."""
    plan = dispersions.preview(session, user)
    return PlanPublic(
        total_cents=plan.total_cents,
        lines=[
            PlanLinePublic(
                organization_id=line.organization.id or 0,
                organization=line.organization.name,
                clabe=line.organization.clabe or "",
                amount_cents=line.amount_cents,
            )
            for line in plan.lines
        ],
        skipped=[
            SkippedPublic(
                organization_id=org.id or 0, organization=org.name, balance_cents=balance, reason=_(why)
            )
            for org, balance, why in plan.skipped
        ],
    )


@router.post(
    "/admin/dispersions",
    response_model=DispersionDetail,
    status_code=201,
    responses={409: {"description": "Nothing is payable now"}},
)
def create_dispersion(user: ApiUserDep, session: SessionDep, settings: SettingsDep) -> DispersionDetail:
    """Generate a dispersion file of everything payable now (409 when there is nothing to pay)."""
    dispersion = dispersions.create(session, user, settings.platform_clabe)
    return _detail(session, dispersion)


@router.get("/admin/dispersions/{dispersion_id}", response_model=DispersionDetail)
def get_dispersion(dispersion_id: Id, user: ApiUserDep, session: SessionDep) -> DispersionDetail:
    return _detail(session, dispersions.get(session, user, dispersion_id))


@router.get(
    "/admin/dispersions/{dispersion_id}/file",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "The file in the bank's layout"}},
)
def dispersion_file(dispersion_id: Id, user: ApiUserDep, session: SessionDep) -> Response:
    """The dispersion file as generated, byte for byte (BBVA Net Cash SPEI layout, ASCII, CR LF)."""
    filename, content = dispersions.file_of(session, user, dispersion_id)
    return Response(
        content,
        media_type="text/plain; charset=us-ascii",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/admin/dispersions/{dispersion_id}/result", response_model=ResultReport)
def upload_result(dispersion_id: Id, file: UploadFile, user: ApiUserDep, session: SessionDep) -> ResultReport:
    """Apply the bank's result file (CSV or Excel), all or nothing: 422 with the problems by row."""
    data = file.file.read(layout.RESULT_MAX_BYTES + 1)
    report = dispersions.apply_result(session, user, dispersion_id, data)

    def rows(outcomes: list[dispersions.Outcome]) -> list[ResultLinePublic]:
        return [
            ResultLinePublic(
                row=o.line.line,
                reference=o.payout.reference,
                organization_id=o.organization.id or 0,
                amount_cents=o.payout.amount_cents,
                tracking_key=o.payout.tracking_key,
                reason=o.payout.failure_reason,
            )
            for o in outcomes
        ]

    return ResultReport(
        sent=rows(report.sent),
        failed=rows(report.failed),
        already_recorded=rows(report.already),
        tracking_key_added=rows(report.tracked),
        still_pending=report.still_pending,
        changed_nothing=report.changed_nothing,
    )


@router.get("/organizations/{slug}/payouts", response_model=list[PayoutPublic])
def organization_payouts(slug: str, user: ApiUserDep, session: SessionDep) -> list[PayoutPublic]:
    """The organization's payouts, newest first (pending while a dispersion waits for the bank)."""
    organization = organizations.get_managed(session, slug, user)
    return [_payout(p) for p in dispersions.payouts_of(session, organization.id or 0)]
