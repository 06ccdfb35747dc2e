"""Listings: who may change them, what the public sees, price tiers and photos."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from market import media, uploads
from market.accounts.models import User
from market.admin import audit
from market.catalog.keyset import DEFAULT_SORT, ORDERS
from market.catalog.models import LISTING_TRANSITIONS, Listing, ListingPhoto, ListingStatus, PriceTier
from market.catalog.schemas import (
    ListingBase,
    ListingCreate,
    ListingPublic,
    ListingUpdate,
    PhotoPublic,
    TierIn,
)
from market.catalog.taxonomy import default_sat_product_key, default_sat_unit_key, iva_bps
from market.config import Settings
from market.db import utcnow
from market.errors import Conflict, InvalidTransition, InvalidUpload, ListingNotFound, ValidationFailed
from market.i18n import N_
from market.mail import kinds
from market.organizations import service as organizations
from market.organizations.effects import notify_owners
from market.organizations.models import Organization, VerificationStatus
from market.outbox import search_changed
from market.pagination import Page, paginate
from market.slugs import slugify
from market.storage import discard_after_commit, storage_for
from market.urls import path_for
from market.validation import field_errors

MAX_PHOTOS = 8
TOO_MANY_PHOTOS = N_("Cada producto admite hasta {n} fotos.")


def public_listings_query(*entities: Any) -> Any:
    """Active, non-suspended listings of verified, non-suspended organizations (selecting `entities`,
    default Listing)."""
    return (
        select(*(entities or (Listing,)))
        .join(Organization, col(Organization.id) == Listing.organization_id)
        .where(
            Listing.status == ListingStatus.ACTIVE,
            col(Listing.suspended).is_(False),
            Organization.verification_status == VerificationStatus.VERIFIED,
            col(Organization.suspended).is_(False),
        )
    )


def is_purchasable(listing: Listing, organization: Organization) -> bool:
    """What `public_listings_query` asks, for a listing already loaded: only these may be bought."""
    return listing.status == ListingStatus.ACTIVE and not listing.suspended and organization.is_public


# Who sees a listing, in the words its producer reads beside its status (Spanish source texts).
PUBLISHED = N_("Publicado: visible en el catálogo.")
AWAITING_VERIFICATION = N_("Publicado: se verá en el catálogo cuando verifiquemos tu organización.")
ORGANIZATION_HIDDEN = N_("Publicado, pero tu organización no aparece en el catálogo por ahora.")
HIDDEN_BY_ADMINISTRATION = N_("Suspendido por administración: no aparece en el catálogo.")
VISIBILITY = {
    ListingStatus.DRAFT: N_("Borrador: nadie lo ve hasta que lo publiques."),
    ListingStatus.PAUSED: N_("En pausa: no aparece en el catálogo hasta que lo publiques de nuevo."),
    ListingStatus.ARCHIVED: N_("Archivado: ya no está a la venta."),
}


def visibility(listing: Listing, organization: Organization) -> str:
    """Whether anyone but the producer sees the listing, and why not: what the producer is told after
    saving it and on its pages (a Spanish source text, translated where shown)."""
    if listing.suspended:
        return HIDDEN_BY_ADMINISTRATION
    if listing.status != ListingStatus.ACTIVE:
        return VISIBILITY[ListingStatus(listing.status)]
    if organization.is_public:
        return PUBLISHED
    if organization.verification_status == VerificationStatus.PENDING and not organization.suspended:
        return AWAITING_VERIFICATION
    return ORGANIZATION_HIDDEN  # suspended, or its verification was refused: the organization's page says why


def list_public(
    session: Session,
    *,
    category: str | None = None,
    state: str | None = None,
    organization_id: int | None = None,
    sort: str = "recent",
    page: int = 1,
    per_page: int = 24,
) -> Page[Listing]:
    query = public_listings_query()
    if category:
        query = query.where(Listing.category == category)
    if state:
        query = query.where(Organization.state == state)
    if organization_id:
        query = query.where(Listing.organization_id == organization_id)
    query = query.order_by(*ORDERS.get(sort, ORDERS[DEFAULT_SORT]).by())
    return paginate(session, query, page, per_page)


def list_for_organization(session: Session, organization: Organization) -> list[Listing]:
    return list(
        session.exec(
            select(Listing)
            .where(Listing.organization_id == organization.id)
            .order_by(col(Listing.status), col(Listing.title))
        ).all()
    )


def get(session: Session, listing_id: int) -> Listing:
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise ListingNotFound()
    return listing


def get_visible(session: Session, listing_id: int, viewer: User | None) -> tuple[Listing, Organization]:
    """Active listings of public organizations for everyone; the rest only for members and admins."""
    listing = get(session, listing_id)
    organization = session.get(Organization, listing.organization_id)
    assert organization is not None
    if is_purchasable(listing, organization):
        return listing, organization
    if viewer and (viewer.is_admin or organizations.role_in(session, viewer, organization)):
        return listing, organization
    raise ListingNotFound()


def get_managed(session: Session, listing_id: int, user: User) -> tuple[Listing, Organization]:
    """The listing, for its organization's members. Whoever may not see it gets the 404 of an unknown id (a
    draft's existence is not given away); whoever may see it but not change it, a 403."""
    listing, organization = get_visible(session, listing_id, user)
    organizations.require_member(session, user, organization)
    return listing, organization


def _replace_tiers(session: Session, listing: Listing, tiers: Sequence[TierIn]) -> None:
    for old in session.exec(select(PriceTier).where(PriceTier.listing_id == listing.id)).all():
        session.delete(old)
    session.flush()
    assert listing.id is not None
    for tier in tiers:
        session.add(PriceTier(listing_id=listing.id, **tier.model_dump()))


def create(session: Session, user: User, organization: Organization, data: ListingCreate) -> Listing:
    organizations.require_member(session, user, organization)
    return add_listing(session, organization, data)


def add_listing(session: Session, organization: Organization, data: ListingCreate) -> Listing:
    """Insert a validated listing (callers have checked who may do it)."""
    assert organization.id is not None
    listing = Listing(
        organization_id=organization.id, slug=slugify(data.title, 150), **data.model_dump(exclude={"tiers"})
    )
    session.add(listing)
    session.flush()
    _replace_tiers(session, listing, data.tiers)
    search_changed(session, listing_ids=[listing.id or 0])
    return listing


def create_with_photos(
    session: Session,
    settings: Settings,
    user: User,
    organization: Organization,
    data: ListingCreate,
    photos: Sequence[bytes],
) -> Listing:
    """A new listing with its first photos, all or nothing: every file's header is checked before the
    listing is written, and a file that fails later (it decodes badly, the hour's limit, the storage) takes
    back whatever of the others was stored. The caller runs this in a savepoint (a raised error undoes the
    rows)."""
    organizations.require_member(session, user, organization)
    if len(photos) > MAX_PHOTOS:
        raise InvalidUpload(TOO_MANY_PHOTOS, n=MAX_PHOTOS)
    pictures = [media.inspect(data, settings.max_upload_bytes) for data in photos]
    listing = add_listing(session, organization, data)
    assert listing.id is not None
    storage, stored = storage_for(settings), []
    try:
        for position, picture in enumerate(pictures):
            uploads.count_upload(session, settings, user)
            path, thumb = media.store(picture, storage, "listings")
            stored += [key for key, _side in media.sizes_of(path, thumb)]
            session.add(ListingPhoto(listing_id=listing.id, path=path, thumb_path=thumb, position=position))
        session.flush()
    except BaseException:
        media.forget(storage, stored)
        raise
    return listing


def tiers_of(session: Session, listing: Listing) -> list[PriceTier]:
    return list(
        session.exec(
            select(PriceTier).where(PriceTier.listing_id == listing.id).order_by(col(PriceTier.min_quantity))
        ).all()
    )


def update(session: Session, user: User, listing_id: int, patch: ListingUpdate) -> Listing:
    listing, _organization = get_managed(session, listing_id, user)
    current = {field: getattr(listing, field) for field in ListingBase.model_fields if field != "tiers"}
    current["tiers"] = [
        TierIn(min_quantity=t.min_quantity, unit_price_cents=t.unit_price_cents)
        for t in tiers_of(session, listing)
    ]
    try:
        merged = ListingBase(**_keys_follow(listing, current | patch.model_dump(exclude_unset=True)))
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None
    for field, value in merged.model_dump(exclude={"tiers"}).items():
        setattr(listing, field, value)
    listing.slug = slugify(listing.title, 150)
    listing.updated_at = utcnow()
    _replace_tiers(session, listing, merged.tiers)
    search_changed(session, listing_ids=[listing_id])
    return listing


def _keys_follow(listing: Listing, data: dict[str, Any]) -> dict[str, Any]:
    """A SAT key still at the suggestion for the listing's old category (unit) is dropped when the category
    (unit) changes, so the new one's suggestion takes its place; a key the producer chose stays."""
    if data.get("category") != listing.category and data.get("sat_product_key") == default_sat_product_key(
        listing.category
    ):
        data["sat_product_key"] = None
    old_unit_key = default_sat_unit_key(listing.unit, listing.kind)
    if data.get("unit") != listing.unit and data.get("sat_unit_key") == old_unit_key:
        data["sat_unit_key"] = None
    return data


def change_status(session: Session, user: User, listing_id: int, target: str) -> Listing:
    listing, _organization = get_managed(session, listing_id, user)
    if target not in LISTING_TRANSITIONS[listing.status]:
        raise InvalidTransition(current=listing.status, target=target)
    listing.status = ListingStatus(target)
    listing.updated_at = utcnow()
    search_changed(session, listing_ids=[listing_id])
    return listing


# --- moderation (administrators) ----------------------------------------------------------------------


def suspend(session: Session, admin: User, listing: Listing, reason: str | None) -> None:
    """Take a listing out of the catalog and search at once, whatever its producer does with its status
    until an administrator restores it."""
    audit.require_admin(admin)
    reason = audit.required_reason(reason, N_("Explica el motivo de la suspensión."))
    if listing.suspended:
        raise Conflict(N_("Ese producto ya está suspendido."))
    listing.suspended, listing.suspension_reason = True, reason
    _moderated(session, admin, listing, "listing.suspend", reason)
    _tell_owners(session, listing, reason)


def restore(session: Session, admin: User, listing: Listing, reason: str | None) -> None:
    """Lift a suspension; why it is lifted goes to the audit log, as why it was imposed did."""
    audit.require_admin(admin)
    if not listing.suspended:
        raise Conflict(N_("Ese producto no está suspendido."))
    reason = audit.required_reason(reason, audit.LIFT_REASON_MISSING)
    listing.suspended, listing.suspension_reason = False, None
    _moderated(session, admin, listing, "listing.restore", reason)
    _tell_owners(session, listing, reason)


def _tell_owners(session: Session, listing: Listing, reason: str) -> None:
    """The producer's owners hear that an administrator suspended the listing or lifted its suspension."""
    organization = session.get(Organization, listing.organization_id)
    assert organization is not None
    notify_owners(
        session,
        organization,
        kinds.LISTING_MODERATED,
        link=path_for("catalog.edit_listing_form", listing_id=listing.id),
        title=listing.title,
        suspended=listing.suspended,
        reason=reason,
    )


def _moderated(
    session: Session, admin: User, listing: Listing, action: str, reason: str | None = None
) -> None:
    assert listing.id is not None
    listing.updated_at = utcnow()
    search_changed(session, listing_ids=[listing.id])  # leaves (or returns to) search with the next sync
    audit.record(session, admin, action, "listing", listing.id, listing.title, reason)


def photos_of(session: Session, listing: Listing) -> list[ListingPhoto]:
    return list(
        session.exec(
            select(ListingPhoto)
            .where(ListingPhoto.listing_id == listing.id)
            .order_by(col(ListingPhoto.position))
        ).all()
    )


def add_photo(session: Session, settings: Settings, user: User, listing_id: int, data: bytes) -> ListingPhoto:
    listing, _organization = get_managed(session, listing_id, user)
    existing = photos_of(session, listing)
    if len(existing) >= MAX_PHOTOS:
        raise InvalidUpload(TOO_MANY_PHOTOS, n=MAX_PHOTOS)
    picture = media.inspect(data, settings.max_upload_bytes)  # its declared size, before any decoding
    uploads.count_upload(session, settings, user)
    path, thumb = media.store(picture, storage_for(settings), "listings")
    assert listing.id is not None
    photo = ListingPhoto(listing_id=listing.id, path=path, thumb_path=thumb, position=len(existing))
    session.add(photo)
    listing.updated_at = utcnow()
    search_changed(session, listing_ids=[listing_id])
    return photo


def delete_photo(session: Session, user: User, listing_id: int, photo_id: int) -> None:
    listing, _organization = get_managed(session, listing_id, user)
    photo = session.get(ListingPhoto, photo_id)
    if photo is None or photo.listing_id != listing.id:
        raise ListingNotFound()
    session.delete(photo)
    discard_after_commit(session, [key for key, _size in media.sizes_of(photo.path, photo.thumb_path)])
    listing.updated_at = utcnow()
    search_changed(session, listing_ids=[listing_id])


def to_public(session: Session, listings: Sequence[Listing]) -> list[ListingPublic]:
    """Listings with their organization, tiers and photos, loaded in three queries for the whole page."""
    ids = [listing.id for listing in listings]
    org_ids = {listing.organization_id for listing in listings}
    orgs = {
        o.id: o for o in session.exec(select(Organization).where(col(Organization.id).in_(org_ids))).all()
    }
    tiers: dict[int, list[PriceTier]] = defaultdict(list)
    for tier in session.exec(
        select(PriceTier).where(col(PriceTier.listing_id).in_(ids)).order_by(col(PriceTier.min_quantity))
    ).all():
        tiers[tier.listing_id].append(tier)
    photos: dict[int, list[PhotoPublic]] = defaultdict(list)
    for photo in session.exec(
        select(ListingPhoto).where(col(ListingPhoto.listing_id).in_(ids)).order_by(col(ListingPhoto.position))
    ).all():
        photos[photo.listing_id].append(PhotoPublic.of(photo.path, photo.thumb_path))
    result = []
    for listing in listings:
        org = orgs[listing.organization_id]
        assert listing.id is not None
        result.append(
            ListingPublic.model_validate(
                listing.model_dump()
                | {
                    "organization_slug": org.slug,
                    "organization_name": org.name,
                    "state": org.state,
                    "iva_bps": iva_bps(listing.category),
                    "tiers": tiers[listing.id],
                    "photos": photos[listing.id],
                }
            )
        )
    return result
