"""The demo marketplace (for a first run and for people trying the product), from demo.toml, and synthetic
data (for benchmarks)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from rich.progress import Progress
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market import demo_pictures, media
from market.accounts.models import User
from market.accounts.schemas import Registration
from market.accounts.service import hash_password, register
from market.catalog.models import Listing, ListingPhoto, ListingStatus
from market.catalog.service import add_listing
from market.catalog.taxonomy import CATEGORIES, GOOD_UNITS, SERVICE_UNITS
from market.config import Settings
from market.db import transaction, utcnow
from market.demo import (
    DEMO_PASSWORD,
    DemoAccount,
    DemoOrder,
    DemoPart,
    DemoSchool,
    DemoSupply,
    Outcome,
    load_marketplace,
)
from market.documents.demo import load_demo_documents
from market.invoicing import csd_store, fiscal_profile, global_invoice
from market.invoicing.csd import make_test_csd
from market.mexico import LEGAL_FORMS, STATES
from market.orders.models import FulfillmentStatus, OrderStatus
from market.organizations.models import Membership, Organization, VerificationStatus
from market.slugs import slugify
from market.storage import Storage, storage_for

# Who takes a part of a demo order to each outcome: its producer's steps, then its buyer's.
TO_READY = [FulfillmentStatus.ACCEPTED, FulfillmentStatus.PREPARING, FulfillmentStatus.READY_FOR_PICKUP]
OUTCOMES: dict[Outcome, tuple[list[FulfillmentStatus], list[FulfillmentStatus]]] = {
    "rejected": ([FulfillmentStatus.REJECTED], []),
    "delivered": ([*TO_READY, FulfillmentStatus.DELIVERED], []),  # paid in cash at pickup
    "completed": (TO_READY, [FulfillmentStatus.DELIVERED, FulfillmentStatus.COMPLETED]),
}


def load_demo_if_empty(session: Session) -> list[tuple[str, str, str]]:
    if session.exec(select(Organization.id)).first() is not None:
        return []
    return load_demo(session)


def _account(session: Session, account: Registration, *, is_admin: bool = False) -> User:
    existing = session.exec(select(User).where(User.email == account.email)).first()
    if existing:
        return existing
    return register(session, account, is_admin=is_admin, confirmed=True)  # people trying the product


def load_demo(session: Session, settings: Settings | None = None) -> list[tuple[str, str, str]]:
    """Idempotent: organizations already present (by slug) are left as they are. Returns the accounts to
    try the product with: (role, e-mail, password)."""
    demo = load_marketplace()
    settings = settings or Settings()
    admin = _account(session, demo.administrator, is_admin=True)
    consumer = _account(session, demo.consumer)
    accounts = [
        ("administración", admin.email, DEMO_PASSWORD),
        ("consumidora", consumer.email, DEMO_PASSWORD),
    ]
    now, storage = utcnow(), storage_for(settings)
    for index, entry in enumerate(demo.organizations):
        if session.exec(select(Organization.id).where(Organization.slug == entry.slug)).first():
            continue
        owner = _account(
            session, DemoAccount(name=f"Coordinación {entry.name}", email=f"{entry.slug}@productores.demo")
        )
        organization = Organization(
            slug=entry.slug,
            **entry.profile(),
            verification_status=VerificationStatus.PENDING if entry.pending else VerificationStatus.VERIFIED,
            verified_at=None if entry.pending else now,
        )
        session.add(organization)
        session.flush()
        assert organization.id is not None and owner.id is not None
        session.add(Membership(user_id=owner.id, organization_id=organization.id, role="owner"))
        if entry.fiscal is not None:  # it invoices its sales to the institution, with a test CSD
            session.flush()
            fiscal_profile.save(session, owner, organization, entry.fiscal)
            assert organization.rfc is not None
            files = make_test_csd(organization.rfc, entry.fiscal.legal_name)
            csd_store.upload(
                session, settings, owner, organization, files.certificate, files.key, files.password
            )
        for data in entry.listings:
            listing = add_listing(session, organization, data)
            _demo_photo(session, storage, listing)
        if index < 3 or entry.pending:  # a few producers to try the product as
            accounts.append(
                ("productora" + (" (pendiente)" if entry.pending else ""), owner.email, DEMO_PASSWORD)
            )
    school = _demo_school(session, demo.school)
    accounts.append(("institución compradora", school.email, DEMO_PASSWORD))
    _demo_orders(session, settings, demo.orders, {"consumer": consumer, "school": school}, admin)
    _demo_supply(session, settings, school, demo.school.supply)
    load_demo_documents(session, settings, admin)
    return accounts


def _demo_photo(session: Session, storage: Storage, listing: Listing) -> None:
    """The listing's picture, drawn now (market/demo_pictures.py) and stored as an uploaded photo is."""
    assert listing.id is not None
    path, thumb = media.store_drawn(demo_pictures.draw(listing.title, listing.category), storage, "listings")
    session.add(ListingPhoto(listing_id=listing.id, path=path, thumb_path=thumb, position=0))


def _demo_school(session: Session, school: DemoSchool) -> User:
    """A verified institution with a public demand open for quotes, so producers see "demands for you"."""
    from market.linking import buyers, demands
    from market.linking.models import BuyerOrganization

    person = _account(session, school.purchaser)
    rfc = school.institution.rfc
    if session.exec(select(BuyerOrganization.id).where(BuyerOrganization.rfc == rfc)).first():
        return person
    institution = buyers.create(session, person, school.institution)
    institution.verification_status, institution.verified_at = VerificationStatus.VERIFIED, utcnow()
    demand = demands.create(session, person, institution, school.demand)
    demands.open_for_quotes(session, person, demand)
    return person


def _demo_supply(session: Session, settings: Settings, person: User, supply: DemoSupply) -> None:
    """A recurring supply already awarded, whose schedule the school can bend (once): the producers quote
    while it is open; once its deadline has passed, the school awards the cheapest cover its page proposes."""
    from market.linking import awards, buyers, demands
    from market.linking.models import Demand
    from market.linking.schemas import Allocation, AwardRequest, DemandCreate, QuoteCreate

    if session.exec(select(Demand.id).where(Demand.title == supply.title)).first() is not None:
        return
    institution = buyers.get(session, buyers.buying_for(session, person) or 0)

    demand = demands.create(
        session, person, institution, DemandCreate(**supply.model_dump(exclude={"quotes"}))
    )
    demands.open_for_quotes(session, person, demand)
    for entry in supply.quotes:
        organization = session.exec(select(Organization).where(Organization.slug == entry.organization)).one()
        owner = _owner_of(session, organization.id or 0)
        offer = QuoteCreate(**entry.model_dump(exclude={"organization"}))
        demands.submit_quote(session, owner, demand, organization, offer)
    demand.quote_deadline = utcnow() - timedelta(minutes=1)
    proposal = awards.propose(session, demand)
    allocations = [
        Allocation(quote_id=quote.id or 0, quantity=take) for quote, _, take in proposal.allocations
    ]
    awards.award(session, settings, person, demand, AwardRequest(allocations=allocations))


def _demo_orders(
    session: Session,
    settings: Settings,
    demo_orders: list[DemoOrder],
    buyers_by_key: dict[str, User],
    admin: User,
) -> None:
    """The orders through the order services, each part taken to its outcome. Only where there are none."""
    from market.linking import buyers
    from market.orders.checkout import LineDraft, PartDraft, place_order
    from market.orders.fulfillment import mark_paid
    from market.orders.models import Fulfillment, Order

    if session.exec(select(Order.id)).first() is not None:
        return
    wanted = {(part.organization, part.listing) for order in demo_orders for part in order.parts}
    found = {
        (org.slug, listing.title): (org, listing)
        for org, listing in session.exec(
            select(Organization, Listing)
            .join(Listing, col(Listing.organization_id) == Organization.id)
            .where(col(Organization.slug).in_({slug for slug, _title in wanted}))
        )
    }
    if not wanted <= found.keys():  # an older demo database: leave it as it is
        return
    for number, demo_order in enumerate(demo_orders, start=1):
        buyer, delivered = buyers_by_key[demo_order.buyer], demo_order.ship_to is not None
        parts = []
        for part in demo_order.parts:
            org, listing = found[part.organization, part.listing]
            assert org.id is not None
            line = LineDraft(listing.id, listing.title, listing.unit, listing.price_cents, part.quantity)
            parts.append(
                PartDraft(
                    organization_id=org.id,
                    delivery_method="delivery" if delivered else "pickup",
                    delivery_cents=org.delivery_fee_cents if delivered else 0,
                    lines=[line],
                )
            )
        order = place_order(
            session,
            settings,
            buyer,
            demo_order.payment_method,
            parts,
            ship_to=demo_order.ship_to,
            buyer_organization_id=buyers.buying_for(session, buyer),
        )
        if order.status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.INVOICED):  # the school's invoice too
            mark_paid(session, order, admin, f"DEMO-{number:04d}")
        outcomes = {found[p.organization, p.listing][0].id: p for p in demo_order.parts}
        fulfillments = session.exec(
            select(Fulfillment).where(Fulfillment.order_id == order.id).order_by(col(Fulfillment.id))
        )
        for fulfillment in fulfillments.all():
            part = outcomes[fulfillment.organization_id]
            if part.outcome is not None:
                _take_to_outcome(
                    session, part, fulfillment.id or 0, _owner_of(session, fulfillment.organization_id), buyer
                )
        if demo_order.last_month:
            _paid_last_month(session, order.id or 0)
    global_invoice.gather(session, global_invoice.previous_month())


def _paid_last_month(session: Session, order_id: int) -> None:
    """The order's public sales as if paid last month, for last month's global invoices."""
    from market.invoicing.models import PublicSale
    from market.orders.models import Fulfillment

    month = global_invoice.previous_month()
    for sale in session.exec(
        select(PublicSale)
        .join(Fulfillment, col(Fulfillment.id) == PublicSale.fulfillment_id)
        .where(Fulfillment.order_id == order_id)
    ):
        sale.period = month
        session.add(sale)
    session.flush()


def _take_to_outcome(session: Session, part: DemoPart, fulfillment_id: int, owner: User, buyer: User) -> None:
    """The producer's steps (its note on the last one), then the buyer's and the review, with the reply."""
    from market.orders.fulfillment import move
    from market.reviews import service as reviews

    assert part.outcome is not None
    producer_steps, buyer_steps = OUTCOMES[part.outcome]
    *steps, last = producer_steps
    for step in steps:
        move(session, owner, fulfillment_id, step)
    move(session, owner, fulfillment_id, last, part.note)  # the note is on the producer's last step
    for step in buyer_steps:
        move(session, buyer, fulfillment_id, step)
    if part.review is not None:
        review = reviews.create(session, buyer, fulfillment_id, part.review.rating, part.review.comment)
        if part.review.reply:
            reviews.reply(session, owner, review.id or 0, part.review.reply)


def _owner_of(session: Session, organization_id: int) -> User:
    owner = session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.organization_id == organization_id, Membership.role == "owner")
    ).first()
    assert owner is not None
    return owner


def load_synthetic(engine: Engine, count: int, seed: int = 7) -> None:
    """Insert `count` active listings of verified synthetic organizations in bulk (no ORM per row)."""
    rng = random.Random(seed)
    words = [
        "Café",
        "Miel",
        "Cacao",
        "Vainilla",
        "Mezcal",
        "Maíz",
        "Frijol",
        "Amaranto",
        "Textil",
        "Barro",
        "Jabón",
        "Madera",
        "Chile",
        "Nopal",
        "Tostadas",
        "Mermelada",
        "Huipil",
        "Rebozo",
        "Canasta",
    ]
    adjectives = [
        "orgánico",
        "de altura",
        "artesanal",
        "criollo",
        "melipona",
        "tradicional",
        "silvestre",
        "de temporada",
        "comunitario",
        "agroecológico",
    ]
    org_count = max(10, count // 100)
    now = utcnow()
    password_hash = hash_password(DEMO_PASSWORD)
    with transaction(engine) as session:
        owner = User(
            email=f"sintetico-{seed}-{count}@tianguis.demo",
            name="Datos sintéticos",
            password_hash=password_hash,
            email_confirmed_at=now,
        )
        session.add(owner)
        session.flush()
        first = session.exec(select(Organization.id).order_by(col(Organization.id).desc())).first() or 0
        org_rows = [
            {
                "slug": f"sintetica-{first + i + 1}",
                "name": f"Cooperativa sintética {first + i + 1}",
                "legal_form": rng.choice(list(LEGAL_FORMS)),
                "state": rng.choice(STATES).inegi,
                "municipality": "Municipio",
                "latitude": rng.uniform(15, 31),
                "longitude": rng.uniform(-115, -87),
                "members_count": 40,
                "women_members_count": 20,
                "certifications": [],
                "sdgs": [8],
                "description": "",
                "verification_status": VerificationStatus.VERIFIED,
                "suspended": False,
                "created_at": now,
                "updated_at": now,
                "verified_at": now,
            }
            for i in range(org_count)
        ]
        session.execute(insert(Organization), org_rows)
        org_ids = list(
            session.exec(select(Organization.id).where(col(Organization.slug).startswith("sintetica-")))
        )

    batch = 5000
    with Progress() as progress:
        task = progress.add_task("listings", total=count)
        for start in range(0, count, batch):
            rows: list[dict[str, Any]] = []
            for _ in range(min(batch, count - start)):
                category = rng.choice(CATEGORIES)
                service = category.slug in ("ecoturismo", "servicios")
                title = f"{rng.choice(words)} {rng.choice(adjectives)} {rng.randint(1, 999)}"
                rows.append(
                    {
                        "organization_id": rng.choice(org_ids),
                        "slug": slugify(title),
                        "title": title,
                        "description": f"{title}: producto sintético para pruebas de carga.",
                        "category": category.slug,
                        "kind": "service" if service else "good",
                        "unit": rng.choice(list(SERVICE_UNITS if service else GOOD_UNITS)),
                        "price_cents": rng.randint(20, 5000) * 100,
                        "stock": rng.randint(0, 500),
                        "minimum_order": 1,
                        "lead_time_days": rng.randint(0, 15),
                        "pickup": True,
                        "delivery_states": [],
                        "national_shipping": rng.random() < 0.5,
                        "status": ListingStatus.ACTIVE,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            with transaction(engine) as session:
                session.execute(insert(Listing), rows)
            progress.advance(task, len(rows))
    with engine.begin() as connection:  # fresh statistics, or the planner treats the new rows as absent
        connection.execute(text("ANALYZE"))
