"""JSON API for listings: public catalog reads and management by organization members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from pydantic import BaseModel

from market.bounds import Id, PageNumber
from market.catalog import browsing, csv_import, sat_keys, service
from market.catalog.csv_import import ImportReport
from market.catalog.keyset import DEFAULT_SORT, MAX_CURSOR
from market.catalog.sat_keys import SatKey
from market.catalog.schemas import ListingCreate, ListingPage, ListingPublic, ListingUpdate, StatusChange
from market.catalog.taxonomy import CategorySlug
from market.deps import ApiUserDep, ApiVisitorDep, ListingCountsDep, SessionDep, SettingsDep
from market.mexico import StateCode
from market.organizations import service as organizations
from market.web import upload_bytes

router = APIRouter(tags=["listings"])


@router.get(
    "/listings",
    response_model=ListingPage,
    responses={
        404: {"description": "The `organization` filter names no public organization"},
        422: {
            "description": "A bad parameter; `bad_cursor`: a cursor not of this `sort` (or not one at all)"
        },
    },
)
def list_listings(
    session: SessionDep,
    counts: ListingCountsDep,
    category: CategorySlug | None = Query(None, description="Category slug, e.g. cafe"),
    state: StateCode | None = Query(None, description="INEGI code of the producer's state, e.g. 20 (Oaxaca)"),
    organization: str | None = Query(None, description="Organization slug"),
    sort: str = Query(DEFAULT_SORT, pattern="^(recent|price_asc|price_desc|title)$"),
    after: str | None = Query(None, max_length=MAX_CURSOR, description="A page's `next_cursor`"),
    before: str | None = Query(None, max_length=MAX_CURSOR, description="A page's `prev_cursor`"),
    page: Annotated[
        PageNumber, Query(description="A page number (slower the deeper): prefer the cursors")
    ] = 1,
    per_page: int = Query(24, ge=1, le=100),
) -> ListingPage:
    """Public listings a page at a time. Follow `next_cursor` with `after=` (and `prev_cursor` with
    `before=`), with the same filters and sort: every listing comes once, however deep, even while others
    are published. `total` may be up to `CATALOG_COUNT_MAX_AGE_SECONDS` (10 s) old."""
    organization_id = organizations.get_visible(session, organization, None).id if organization else None
    found = browsing.browse(
        session,
        counts,
        browsing.Filters(category=category, state=state, organization_id=organization_id),
        sort=sort,
        after=after,
        before=before,
        page=page,
        per_page=per_page,
    )
    return ListingPage(
        items=service.to_public(session, found.items),
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        next_cursor=found.next_cursor,
        prev_cursor=found.prev_cursor,
    )


SAT_QUERY = Query(
    "",
    max_length=sat_keys.MAX_QUERY,
    description="A key, or words of its description (accents and case aside)",
)


@router.get("/sat/product-keys", response_model=list[SatKey], tags=["sat"])
def sat_product_keys(q: str = SAT_QUERY) -> list[SatKey]:
    """Keys of the SAT's c_ClaveProdServ for a listing's `sat_product_key`, best first (at most 20)."""
    return sat_keys.product_keys().search(q)


@router.get("/sat/unit-keys", response_model=list[SatKey], tags=["sat"])
def sat_unit_keys(q: str = SAT_QUERY) -> list[SatKey]:
    """Keys of the SAT's c_ClaveUnidad for a listing's `sat_unit_key`, best first (at most 20)."""
    return sat_keys.unit_keys().search(q)


@router.get("/listings/{listing_id}", response_model=ListingPublic)
def get_listing(listing_id: Id, visitor: ApiVisitorDep, session: SessionDep) -> ListingPublic:
    listing, _org = service.get_visible(session, listing_id, visitor)
    return service.to_public(session, [listing])[0]


@router.post("/organizations/{slug}/listings", response_model=ListingPublic, status_code=201)
def create_listing(slug: str, data: ListingCreate, user: ApiUserDep, session: SessionDep) -> ListingPublic:
    org = organizations.get_managed(session, slug, user)
    return service.to_public(session, [service.create(session, user, org, data)])[0]


@router.patch("/listings/{listing_id}", response_model=ListingPublic)
def update_listing(
    listing_id: Id, patch: ListingUpdate, user: ApiUserDep, session: SessionDep
) -> ListingPublic:
    return service.to_public(session, [service.update(session, user, listing_id, patch)])[0]


@router.post("/listings/{listing_id}/status", response_model=ListingPublic)
def change_status(
    listing_id: Id, change: StatusChange, user: ApiUserDep, session: SessionDep
) -> ListingPublic:
    return service.to_public(session, [service.change_status(session, user, listing_id, change.status)])[0]


@router.post(
    "/listings/{listing_id}/photos",
    response_model=ListingPublic,
    status_code=201,
    responses={
        422: {"description": "Not a JPEG, PNG or WebP, too many pixels or frames; nothing was stored"},
        429: {"description": "The person's images per hour are used up; `Retry-After` says when"},
        503: {"description": "The media storage does not answer; nothing was stored"},
    },
)
def add_photo(
    listing_id: Id,
    file: UploadFile,
    request: Request,
    settings: SettingsDep,
    user: ApiUserDep,
    session: SessionDep,
) -> ListingPublic:
    data = upload_bytes(request, file)
    photo = service.add_photo(session, settings, user, listing_id, data)
    return service.to_public(session, [service.get(session, photo.listing_id)])[0]


class ImportResult(BaseModel):
    imported: int


@router.post(
    "/organizations/{slug}/listings/import",
    response_model=ImportResult,
    status_code=201,
    responses={422: {"model": ImportReport, "description": "Per-row error report; nothing was imported"}},
)
def import_listings(slug: str, file: UploadFile, user: ApiUserDep, session: SessionDep) -> ImportResult:
    data = file.file.read(csv_import.MAX_BYTES + 1)
    org = organizations.get_managed(session, slug, user)
    created = csv_import.import_listings(session, user, org, data)
    return ImportResult(imported=len(created))
