"""Catalog pages: home, browse, listing page, and the producer's listing forms, photos and CSV import."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload

from market.bounds import Id, PageNumber
from market.catalog import browsing, csv_import, sat_keys, service
from market.catalog.keyset import DEFAULT_SORT, MAX_CURSOR, ORDERS
from market.catalog.models import LISTING_TRANSITIONS, Listing
from market.catalog.schemas import ListingCreate, ListingUpdate
from market.catalog.taxonomy import (
    CATEGORIES_BY_SLUG,
    UNITS,
    default_sat_product_key,
    default_sat_unit_key,
    iva_bps,
)
from market.deps import FormDep, ListingCountsDep, PageDep, SessionDep, SettingsDep, UserDep, VisitorDep
from market.documents import service as documents
from market.errors import InvalidUpload, NotFound, StorageUnavailable, TooManyUploads
from market.forms import FormInvalid, checkbox, pesos_field, text_fields, validate
from market.i18n import gettext as _
from market.money import cents_to_pesos_text
from market.organizations import service as organizations
from market.reviews import queries as reviews
from market.reviews.ratings import listing_ratings
from market.state import settings_of
from market.web import PageContext, flash, flash_failure, refusable, refused, upload_bytes, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
# What the request-size limit lets carry several photos (market/app.py): the path of create_listing.
NEW_LISTING_PATH = re.compile(r"/panel/o/[^/]+/productos/nuevo")


@router.get("/", name="catalog.home")
def home(page: PageDep, session: SessionDep, counts: ListingCountsDep) -> Response:
    featured = organizations.list_public(session, page=1, per_page=6)
    latest = browsing.browse(session, counts, browsing.Filters(), per_page=8)
    return page.render(
        "home.html",
        {
            "featured": featured.items,
            "org_badges": documents.badges_of(session, featured.items),
            "listings": service.to_public(session, latest.items),
            "ratings": listing_ratings(session, [listing.id or 0 for listing in latest.items]),
            "producers_total": featured.total,
            "listings_total": latest.total,
        },
    )


@router.get("/catalogo", name="catalog.browse")
def browse(
    page: PageDep,
    session: SessionDep,
    counts: ListingCountsDep,
    category: str | None = None,
    state: str | None = None,
    sort: str = DEFAULT_SORT,
    despues: Annotated[str | None, Query(max_length=MAX_CURSOR)] = None,
    antes: Annotated[str | None, Query(max_length=MAX_CURSOR)] = None,
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    """The filters and sorts of GET /api/v1/listings; its cursors `after` / `before` are `despues` / `antes`
    here. `page` numbers still work for links made before cursors."""
    if category and category not in CATEGORIES_BY_SLUG:
        raise NotFound()
    sort = sort if sort in ORDERS else DEFAULT_SORT
    found = browsing.browse(
        session,
        counts,
        browsing.Filters(category=category or None, state=state or None),
        sort=sort,
        after=despues or None,
        before=antes or None,
        page=page_number,
        cursor_field=("despues", "antes"),
    )
    return page.render(
        "catalog/browse.html",
        {
            "page": found,  # what partials/cursor_pagination.html pages through
            "listings": service.to_public(session, found.items),
            "ratings": listing_ratings(session, [listing.id or 0 for listing in found.items]),
            "category": category,
            "state": state,
            "sort": sort,
        },
    )


@router.get("/productos/{listing_id}", name="catalog.listing")
@router.get("/productos/{listing_id}/{slug}", name="catalog.listing")
def listing_page(
    listing_id: Id, page: PageDep, session: SessionDep, visitor: VisitorDep, slug: str | None = None
) -> Response:
    listing, _organization = service.get_visible(session, listing_id, visitor)
    if slug != listing.slug:
        return page.redirect(page.url("catalog.listing", listing_id=listing.id, slug=listing.slug))
    return listing_response(page, session, listing_id)


def listing_response(
    page: PageContext, session: Session, listing_id: int, status_code: int = 200, **context: Any
) -> Response:
    """The listing's page; `context` adds to it (the cart's refusal of a quantity, next to the form)."""
    listing, organization = service.get_visible(session, listing_id, page.user)
    return page.render(
        "catalog/listing.html",
        {
            "listing": service.to_public(session, [listing])[0],
            "org": organization,
            "org_badges": documents.badges_of(session, [organization]),
            "can_manage": organizations.role_in(session, page.user, organization) is not None,
            "rating": reviews.summary_of_listing(session, listing_id),
            "reviews": reviews.of_listing(session, listing_id, per_page=5).items,
            # Only members and administrators see a suspended listing: why, and (admins) how to undo it.
            "suspended": listing.suspended,
            "suspension_reason": listing.suspension_reason,
            "visibility": service.visibility(listing, organization),
        }
        | context,
        status_code,
    )


# --- producer's side ---


def _listing_values(listing: Listing, tiers: list[Any]) -> dict[str, Any]:
    values = listing.model_dump()
    values["price"] = cents_to_pesos_text(listing.price_cents)
    values["tiers"] = [
        {"min_quantity": t.min_quantity, "price": cents_to_pesos_text(t.unit_price_cents)} for t in tiers
    ]
    return values


def _parse_listing_form(form: FormData) -> tuple[dict[str, Any], ListingCreate | None, dict[str, str]]:
    """Form text -> ListingCreate. Prices are typed in pesos; volume prices come as parallel rows."""
    values = text_fields(form)
    data = dict(values)
    errors: dict[str, str] = {}
    pesos_field(data, "price", "price_cents", errors, _("Escribe el precio en pesos, por ejemplo 185.50."))
    data["pickup"] = checkbox(form, "pickup")
    data["national_shipping"] = checkbox(form, "national_shipping")
    tiers = []
    quantities = form.getlist("tier_quantity")
    prices = form.getlist("tier_price")
    for quantity, price in zip(quantities, prices, strict=False):
        if not str(quantity).strip() and not str(price).strip():
            continue
        tier: dict[str, Any] = {"min_quantity": str(quantity).strip(), "price": str(price)}
        pesos_field(tier, "price", "unit_price_cents", errors, _("Escribe el precio por volumen en pesos."))
        tiers.append(tier)
    data["tiers"] = tiers
    values["tiers"] = [{"min_quantity": q, "price": p} for q, p in zip(quantities, prices, strict=False)]
    for key in ("tier_quantity", "tier_price"):
        data.pop(key, None)
    if "unit_price_cents" in errors:
        errors["tiers"] = errors.pop("unit_price_cents")
    try:
        return values, validate(ListingCreate, data, errors), {}
    except FormInvalid as exc:
        # "tiers.1.min_quantity" -> "tiers", "price_cents" -> "price": one message per form field.
        errors = {k.split(".")[0].replace("price_cents", "price"): v for k, v in reversed(exc.errors.items())}
        return values, None, errors


def _sat_context(values: dict[str, Any]) -> dict[str, Any]:
    """What the form shows beside the SAT keys: what each key typed is in the catalogue, the keys an empty
    field stands for (those of the category and unit chosen), and the IVA its price includes."""
    category, unit = str(values.get("category") or ""), str(values.get("unit") or "")
    product, unit_key = str(values.get("sat_product_key") or ""), str(values.get("sat_unit_key") or "")
    known_category, kind = category in CATEGORIES_BY_SLUG, values.get("kind") or "good"
    return {
        "sat_product_description": sat_keys.product_keys().describe(product) if product else None,
        "sat_unit_description": sat_keys.unit_keys().describe(unit_key.upper()) if unit_key else None,
        "sat_product_default": default_sat_product_key(category) if known_category else None,
        "sat_unit_default": default_sat_unit_key(unit, kind) if unit in UNITS else None,
        "iva_percent": iva_bps(category) // 100 if known_category else None,
        "tax_objects": sat_keys.TAX_OBJECTS.items(),
    }


def _listing_form(
    page: PageContext,
    org: Any,
    listing: Listing | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    **context: Any,
) -> Response:
    # A request carries at most one upload's bytes (and the form): several photos share them.
    photo_limits = {
        "max_photos": service.MAX_PHOTOS,
        "max_mb": settings_of(page.request).max_upload_bytes // 2**20,
    }
    return page.render(
        "catalog/listing_form.html",
        {"org": org, "listing": listing, "values": values, "errors": errors}
        | _sat_context(values)
        | photo_limits
        | context,
        status,
    )


@router.get("/panel/o/{slug}/productos/nuevo", name="catalog.new_listing")
def new_listing(slug: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    organization = organizations.get_managed(session, slug, user)
    defaults = {
        "pickup": True,
        "minimum_order": 1,
        "lead_time_days": 0,
        "kind": "good",
        "tiers": [],
        "tax_object": sat_keys.TAXED,
    }
    return _listing_form(page, organization, None, defaults, {})


@router.post("/panel/o/{slug}/productos/nuevo", name="catalog.create_listing")
def create_listing(
    slug: str,
    request: Request,
    page: PageDep,
    form: FormDep,
    settings: SettingsDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    organization = organizations.get_managed(session, slug, user)
    values, data, errors = _parse_listing_form(form)
    if data is None:
        return _listing_form(page, organization, None, values, errors, 422)
    photos = [
        upload.file.read(settings.max_upload_bytes + 1)  # a byte more than allowed tells a file too big
        for upload in form.getlist("photos")
        if isinstance(upload, StarletteUpload) and (upload.filename or upload.size)  # none chosen: no part
    ]
    try:
        with refusable(session):
            listing = service.create_with_photos(session, settings, user, organization, data, photos)
    except (InvalidUpload, TooManyUploads, StorageUnavailable) as exc:
        # Nothing was saved: the form again, the reason beside the photos (a browser keeps no chosen file).
        response = _listing_form(page, organization, None, values, {"photos": exc.detail}, exc.status_code)
        return refused(response, exc)
    # Whether anyone sees it now, said at once: a draft nobody sees is not mistaken for a published one.
    saved = _("Guardamos «{title}».").format(title=listing.title)
    flash(request, f"{saved} {_(service.visibility(listing, organization))}")
    return page.redirect(page.url("catalog.edit_listing_form", listing_id=listing.id))


@router.get("/panel/productos/{listing_id}", name="catalog.edit_listing_form")
def edit_listing_form(listing_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    listing, organization = service.get_managed(session, listing_id, user)
    values = _listing_values(listing, service.tiers_of(session, listing))
    return _listing_form(
        page,
        organization,
        listing,
        values,
        {},
        photos=service.photos_of(session, listing),
        transitions=sorted(LISTING_TRANSITIONS[listing.status]),
        visibility=service.visibility(listing, organization),
    )


@router.post("/panel/productos/{listing_id}", name="catalog.edit_listing")
def edit_listing(
    listing_id: Id, request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    listing, organization = service.get_managed(session, listing_id, user)
    values, data, errors = _parse_listing_form(form)
    if data is None:
        return _listing_form(page, organization, listing, values, errors, 422)
    service.update(session, user, listing_id, ListingUpdate(**data.model_dump(exclude={"status"})))
    flash(request, _("Guardamos los cambios de «{title}».").format(title=listing.title))
    return page.redirect(page.url("catalog.edit_listing_form", listing_id=listing_id))


@router.get("/panel/sat/claves-producto", name="catalog.sat_product_suggestions")
def sat_product_suggestions(
    page: PageDep, q: Annotated[str, Query(alias="sat_product_key")] = ""
) -> Response:
    """<option>s for the listing form's product key (its input sends itself, by its own name); the same
    search as GET /api/v1/sat/product-keys."""
    return page.render("catalog/_sat_options.html", {"keys": sat_keys.product_keys().search(q)})


@router.get("/panel/sat/claves-unidad", name="catalog.sat_unit_suggestions")
def sat_unit_suggestions(page: PageDep, q: Annotated[str, Query(alias="sat_unit_key")] = "") -> Response:
    """<option>s for the listing form's unit key; the same search as GET /api/v1/sat/unit-keys."""
    return page.render("catalog/_sat_options.html", {"keys": sat_keys.unit_keys().search(q)})


@router.post("/panel/productos/{listing_id}/estado", name="catalog.change_status")
def change_status(
    listing_id: Id, request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    listing = service.change_status(session, user, listing_id, str(form.get("status", "")))
    if page.is_htmx:
        _listing, organization = service.get_managed(session, listing_id, user)
        return page.render(
            "catalog/_status.html",
            {
                "listing": listing,
                "transitions": sorted(LISTING_TRANSITIONS[listing.status]),
                "visibility": service.visibility(listing, organization),
            },
        )
    flash(request, _("Estado actualizado."))
    return page.redirect(page.url("catalog.edit_listing_form", listing_id=listing_id))


@router.post("/panel/productos/{listing_id}/fotos", name="catalog.add_photo")
def add_photo(
    listing_id: Id,
    photo: UploadFile,
    request: Request,
    page: PageDep,
    settings: SettingsDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    try:
        with flash_failure(request, session, 422):
            service.add_photo(session, settings, user, listing_id, upload_bytes(request, photo))
            flash(request, _("Agregamos la foto."))
    except (TooManyUploads, StorageUnavailable) as exc:
        flash(request, exc.detail, "error")
        return refused(edit_listing_form(listing_id, page, user, session), exc)
    return page.redirect(page.url("catalog.edit_listing_form", listing_id=listing_id) + "#fotos")


@router.post("/panel/productos/{listing_id}/fotos/{photo_id}/borrar", name="catalog.delete_photo")
def delete_photo(
    listing_id: Id, photo_id: Id, request: Request, page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    service.delete_photo(session, user, listing_id, photo_id)
    flash(request, _("Quitamos la foto."))
    return page.redirect(page.url("catalog.edit_listing_form", listing_id=listing_id) + "#fotos")


@router.get("/panel/o/{slug}/importar", name="catalog.import_form")
def import_form(slug: str, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    organization = organizations.get_managed(session, slug, user)
    return page.render(
        "catalog/import.html", {"org": organization, "errors": [], "columns": csv_import.COLUMNS}
    )


@router.get("/plantilla-productos.csv", name="catalog.import_template")
def import_template() -> Response:
    return PlainTextResponse(
        csv_import.TEMPLATE,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="plantilla-productos.csv"'},
    )


@router.post("/panel/o/{slug}/importar", name="catalog.import_listings")
def import_listings(
    slug: str,
    file: Annotated[UploadFile, File(alias="archivo")],
    request: Request,
    page: PageDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    organization = organizations.get_managed(session, slug, user)
    try:
        created = csv_import.import_listings(
            session, user, organization, file.file.read(csv_import.MAX_BYTES + 1)
        )
    except csv_import.ImportRejected as exc:
        return page.render(
            "catalog/import.html",
            {"org": organization, "errors": exc.errors, "columns": csv_import.COLUMNS},
            422,
        )
    flash(request, _("Importamos {n} productos.").format(n=len(created)))
    return page.redirect(page.url("organizations.manage", slug=organization.slug))
