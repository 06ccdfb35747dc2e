"""Administration pages: the home with what waits, the verification queue and decisions on organizations,
and the moderation of listings and organizations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from market.admin import audit
from market.admin import service as admin
from market.bounds import Id
from market.catalog import service as catalog
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.errors import NotFound, ValidationFailed
from market.i18n import gettext as _
from market.organizations import changes
from market.organizations import service as organizations
from market.web import flash, flash_failure, refusable, verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)
LATEST_ENTRIES = 10


def _back(form: FormData, default: str) -> str:
    """Where the form came from (a same-site path only), so a decision returns to the page it was made on."""
    target = str(form.get("next", ""))
    return target if target.startswith("/") and not target.startswith("//") else default


@router.get("", name="admin.home")
def home(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    overview = admin.overview(session, user)
    latest = audit.entries(session, user, per_page=LATEST_ENTRIES)
    return page.render(
        "admin/home.html",
        {
            "overview": overview,
            "entries": latest.items,
            "targets": audit.target_routes(session, latest.items),
            "ACTION_LABELS": audit.ACTION_LABELS,
            "TARGET_LABELS": audit.TARGET_LABELS,
        },
    )


@router.get("/verificacion", name="admin.queue")
def queue(
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    status: Annotated[str | None, Query(alias="estado")] = None,
) -> Response:
    pending = organizations.verification_queue(session, user)
    others = organizations.all_for_admin(session, user, status or None, 1)
    return page.render("admin/queue.html", {"pending": pending, "others": others, "status": status})


@router.post("/organizaciones/{slug}/{decision}", name="admin.decide")
def decide(
    slug: str,
    decision: str,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    organization = organizations.get_for_admin(session, slug, user)
    reason = str(form.get("reason", "")) or None
    back = _back(form, page.url("admin.queue"))
    actions = {
        "verificar": lambda: organizations.verify(session, user, organization),
        "rechazar": lambda: organizations.reject(session, user, organization, reason),
        "suspender": lambda: organizations.suspend(session, user, organization, reason),
        "reactivar": lambda: organizations.reinstate(session, user, organization, reason),
    }
    if decision not in actions:
        return page.redirect(back)
    try:
        with refusable(session):
            actions[decision]()
    except ValidationFailed as exc:
        flash(request, "; ".join(_(m) for m in exc.errors.values()), "error")
        return page.redirect(back)
    flash(request, _("Listo: {name}.").format(name=organization.name))
    return page.redirect(back)


# --- changes of payout data --------------------------------------------------------------------------


@router.get("/cambios", name="admin.payout_changes")
def payout_changes(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    return page.render(
        "admin/changes.html",
        {"rows": changes.pending(session, user), "FIELD_LABELS": changes.FIELD_LABELS},
    )


@router.post("/cambios/{change_id}/{decision}", name="admin.decide_change")
def decide_change(
    change_id: Id,
    decision: str,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    audit.require_admin(user)
    if decision not in ("aprobar", "rechazar"):
        raise NotFound()
    with flash_failure(request, session, 404, 409, 422):
        if decision == "aprobar":
            _change, organization = changes.approve(session, user, change_id)
            done = _(
                "Aprobamos el cambio de datos de {name}; ya se usan los nuevos. "
                "Avisamos a quienes la administran."
            )
        else:
            reason = str(form.get("reason", ""))
            _change, organization = changes.reject(session, user, change_id, reason)
            done = _(
                "Rechazamos el cambio de datos de {name}; siguen los aprobados. "
                "Avisamos a quienes la administran."
            )
        flash(request, done.format(name=organization.name))
    return page.redirect(page.url("admin.payout_changes"))


# --- moderation ------------------------------------------------------------------------------------


@router.get("/moderacion", name="admin.moderation")
def moderation(request: Request, page: PageDep, user: UserDep, session: SessionDep, q: str = "") -> Response:
    found_listings, found_organizations = admin.find(session, user, q)
    return page.render(
        "admin/moderation.html",
        {
            "q": q,
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "listings": admin.suspended_listings(session, user),
            "organizations": admin.suspended_organizations(session, user),
            "found_listings": found_listings,
            "found_organizations": found_organizations,
        },
    )


@router.post("/productos/{listing_id}/suspender", name="admin.suspend_listing")
def suspend_listing(
    listing_id: Id, request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    audit.require_admin(user)  # before the lookup: others cannot probe which listings exist
    listing = catalog.get(session, listing_id)
    with flash_failure(request, session, 409, 422):
        catalog.suspend(session, user, listing, str(form.get("reason", "")))
        flash(request, _("Suspendimos «{title}»: ya no aparece en el catálogo.").format(title=listing.title))
    return page.redirect(_back(form, page.url("admin.moderation")))


@router.post("/productos/{listing_id}/restablecer", name="admin.restore_listing")
def restore_listing(
    listing_id: Id, request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    audit.require_admin(user)  # before the lookup: others cannot probe which listings exist
    listing = catalog.get(session, listing_id)
    with flash_failure(request, session, 409, 422):
        catalog.restore(session, user, listing, str(form.get("reason", "")))
        flash(request, _("Restablecimos «{title}».").format(title=listing.title))
    return page.redirect(_back(form, page.url("admin.moderation")))
