"""Organization pages: public profiles and directory, the producer dashboard, invitations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from market.bounds import PageNumber
from market.catalog import service as catalog
from market.deps import FormDep, GatewayDep, PageDep, SessionDep, SettingsDep, UserDep, VisitorDep
from market.documents import service as documents
from market.errors import StorageUnavailable, TooManyInvitations, TooManyUploads, ValidationFailed
from market.forms import FormInvalid, pesos_field, text_fields, validate
from market.i18n import gettext as _
from market.linking import buyer_members, buyers
from market.money import cents_to_pesos_text
from market.organizations import changes, member_views, service
from market.organizations.models import Organization
from market.organizations.schemas import InvitationCreate, OrganizationCreate, OrganizationUpdate
from market.reviews import queries as reviews
from market.reviews.ratings import listing_ratings
from market.web import (
    PageContext,
    confirm_first,
    flash,
    flash_failure,
    refusable,
    refused,
    upload_bytes,
    verify_csrf,
)

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/productores", name="organizations.directory")
def directory(
    page: PageDep,
    session: SessionDep,
    state: str | None = None,
    legal_form: str | None = None,
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    """The parameters are those of GET /api/v1/organizations."""
    found = service.list_public(
        session, state=state or None, legal_form=legal_form or None, page=page_number, per_page=24
    )
    context = {
        "page": found,
        "state": state,
        "legal_form": legal_form,
        "org_badges": documents.badges_of(session, found.items),
    }
    return page.render("organizations/directory.html", context)


@router.get("/productores/{slug}", name="organizations.profile")
def profile(
    slug: str,
    page: PageDep,
    visitor: VisitorDep,
    session: SessionDep,
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    organization = service.get_visible(session, slug, visitor)
    listings = catalog.list_public(session, organization_id=organization.id, page=page_number, per_page=24)
    return page.render(
        "organizations/profile.html",
        {
            "org": organization,
            "org_badges": documents.badges_of(session, [organization]),
            "page": listings,
            "listings": catalog.to_public(session, listings.items),
            "role": service.role_in(session, visitor, organization),
            "ratings": listing_ratings(session, [listing.id or 0 for listing in listings.items]),
            "rating": reviews.summary_of_organization(session, organization.id or 0),
            "reviews": reviews.of_organization(session, organization.id or 0, per_page=5).items,
        },
    )


@router.get("/panel", name="organizations.dashboard")
def dashboard(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    return page.render(
        "organizations/dashboard.html",
        {
            "memberships": service.for_user(session, user),
            "invitations": service.pending_invitations(session, user),
            "institution_invitations": buyer_members.pending_for(session, user),
            "institutions": buyers.of_user(session, user),
        },
    )


def _form_page(
    page: PageContext,
    org: Organization | None,
    values: dict[str, Any],
    errors: dict[str, Any],
    status: int = 200,
    session: Session | None = None,
) -> Response:
    errors = {
        key.removesuffix("_cents") if key.endswith("_fee_cents") else key: m for key, m in errors.items()
    }
    context = {"org": org, "values": values, "errors": errors} | (
        _pending(session, org) if session and org else {}
    )
    return page.render("organizations/form.html", context, status)


def _pending(session: Session, org: Organization) -> dict[str, Any]:
    """The change of name, RFC or CLABE that waits for review, for the notice that says so."""
    labels = changes.FIELD_LABELS
    return {"pending_change": changes.pending_of(session, org.id), "PAYOUT_FIELD_LABELS": labels}


FEES = ("delivery_fee", "shipping_fee")


def _with_fees(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Delivery costs are typed in pesos; the schema takes centavos. The form keeps what was typed."""
    data, errors = dict(values), dict[str, str]()
    for fee in FEES:
        pesos_field(data, fee, f"{fee}_cents", errors, _("Escribe el costo en pesos, por ejemplo 120.00."))
    return data, errors


@router.get("/panel/organizaciones/nueva", name="organizations.new_organization")
def new_organization(page: PageDep, user: UserDep) -> Response:
    if not user.email_confirmed:
        message = _("Confirma tu correo para registrar una organización.")
        return confirm_first(page, _("Registrar organización"), message)
    return _form_page(page, None, {}, {})


@router.post("/panel/organizaciones/nueva", name="organizations.create_organization")
def create_organization(
    request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    values = text_fields(form)
    try:
        with refusable(session):
            organization = service.create(session, user, validate(OrganizationCreate, *_with_fees(values)))
    except FormInvalid as exc:
        return _form_page(page, None, values, exc.errors, 422)
    flash(
        request,
        _("Registramos {name}. El equipo la revisará para verificarla.").format(name=organization.name),
    )
    return page.redirect(page.url("organizations.manage", slug=organization.slug))


@router.get("/panel/o/{slug}", name="organizations.manage")
def manage(slug: str, page: PageDep, user: UserDep, session: SessionDep, gateway: GatewayDep) -> Response:
    organization = service.get_managed(session, slug, user)
    return page.render(
        "organizations/manage.html",
        {
            "org": organization,
            "card_payouts": gateway is not None,  # Stripe configured: card payouts can be set up
            "role": service.role_in(session, user, organization),
            "listings": catalog.list_for_organization(session, organization),
            "members": service.members(session, organization),
        }
        | _pending(session, organization),
    )


@router.get("/panel/o/{slug}/editar", name="organizations.edit_form")
def edit_form(slug: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    organization = service.get_managed(session, slug, user)
    service.require_owner(session, user, organization)
    values = organization.model_dump()
    for fee in FEES:
        values[fee] = cents_to_pesos_text(values.pop(f"{fee}_cents"))
    return _form_page(page, organization, values, {}, session=session)


@router.post("/panel/o/{slug}/editar", name="organizations.edit")
def edit(
    slug: str, request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    organization = service.get_managed(session, slug, user)
    values = text_fields(form)
    try:
        data = validate(OrganizationCreate, *_with_fees(values))
        with refusable(session):
            held = service.update(session, user, organization, OrganizationUpdate(**data.model_dump()))
    except (FormInvalid, ValidationFailed) as exc:
        return _form_page(page, organization, values, exc.errors, 422, session)
    if held:
        flash(
            request,
            _(
                "Guardamos los cambios. El cambio de nombre, RFC o CLABE espera la revisión del equipo: "
                "hasta que lo aprobemos, los pagos siguen yendo a la CLABE aprobada."
            ),
        )
    else:
        flash(request, _("Guardamos los cambios."))
    return page.redirect(page.url("organizations.manage", slug=organization.slug))


@router.post("/panel/o/{slug}/logo", name="organizations.upload_logo")
def upload_logo(
    slug: str,
    logo: UploadFile,
    request: Request,
    page: PageDep,
    user: UserDep,
    settings: SettingsDep,
    session: SessionDep,
    gateway: GatewayDep,
) -> Response:
    organization = service.get_managed(session, slug, user)
    try:
        with flash_failure(request, session, 422):
            service.set_logo(session, settings, user, organization, upload_bytes(request, logo))
            flash(request, _("Actualizamos el logotipo."))
    except (TooManyUploads, StorageUnavailable) as exc:
        flash(request, exc.detail, "error")
        return refused(manage(slug, page, user, session, gateway), exc)
    return page.redirect(page.url("organizations.manage", slug=organization.slug))


@router.post("/panel/o/{slug}/invitaciones", name="organizations.invite")
def invite(
    slug: str,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    organization = service.get_managed(session, slug, user)
    members = page.url("organizations.members", slug=organization.slug)
    try:
        data = validate(InvitationCreate, text_fields(form))
    except FormInvalid as exc:
        flash(request, "; ".join(exc.errors.values()), "error")
        return page.redirect(members)
    try:
        with flash_failure(request, session, 409):
            service.invite(session, user, organization, data.email, data.role)
            flash(request, _("Enviamos la invitación a {email}.").format(email=data.email))
    except TooManyInvitations as exc:  # the Miembros page, with why, still a 429
        flash(request, exc.detail, "error")
        return refused(member_views.members_page(slug, page, user, session), exc)
    return page.redirect(members)


@router.get("/invitaciones/{token}", name="organizations.invitation")
def invitation(token: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    found = service.open_invitation(session, user, token)  # an expired or revoked one: its error page
    organization = session.get(Organization, found.organization_id)
    return page.render(
        "organizations/invitation.html", {"token": token, "invitation": found, "org": organization}
    )


@router.post("/invitaciones/{token}", name="organizations.accept_invitation")
def accept_invitation(
    token: str, request: Request, page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    organization = service.accept_invitation(session, user, token)
    flash(request, _("Ya formas parte de {name}.").format(name=organization.name))
    return page.redirect(page.url("organizations.manage", slug=organization.slug))
