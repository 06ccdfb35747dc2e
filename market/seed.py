"""Demo catalog (for a first run and for people trying the product) and synthetic data (for benchmarks)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from rich.progress import Progress
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from market.accounts.models import User
from market.accounts.schemas import Registration
from market.accounts.service import hash_password, register
from market.catalog.models import Listing
from market.catalog.schemas import ListingCreate, TierIn
from market.catalog.service import add_listing
from market.catalog.taxonomy import CATEGORIES, GOOD_UNITS, SERVICE_UNITS
from market.config import Settings
from market.db import transaction, utcnow
from market.demo_data import ORGANIZATIONS
from market.mexico import LEGAL_FORMS, STATES
from market.organizations.models import Membership, Organization
from market.organizations.schemas import OrganizationCreate
from market.slugs import slugify

DEMO_PASSWORD = "tianguis-demo-2026"
ADMIN_EMAIL = "admin@tianguis.demo"
PENDING_DEMO_ORGS = 2  # the last ones wait in the verification queue, so an administrator has work


def load_demo_if_empty(session: Session) -> list[tuple[str, str, str]]:
    if session.exec(select(Organization.id)).first() is not None:
        return []
    return load_demo(session)


def _account(session: Session, email: str, name: str, *, is_admin: bool = False) -> User:
    existing = session.exec(select(User).where(User.email == email)).first()
    if existing:
        return existing
    account = Registration(name=name, email=email, password=DEMO_PASSWORD)
    return register(session, account, is_admin=is_admin, confirmed=True)  # people trying the product


def load_demo(session: Session, settings: Settings | None = None) -> list[tuple[str, str, str]]:
    """Idempotent: organizations already present (by slug) are left as they are."""
    accounts = [("administración", ADMIN_EMAIL, DEMO_PASSWORD)]
    _account(session, ADMIN_EMAIL, "Equipo Tianguis", is_admin=True)
    consumer = _account(session, "consumidora@tianguis.demo", "Lucía Hernández")
    accounts.append(("consumidora", consumer.email, DEMO_PASSWORD))
    now = utcnow()
    for index, entry in enumerate(ORGANIZATIONS):
        if session.exec(select(Organization.id).where(Organization.slug == entry["slug"])).first():
            continue
        owner = _account(session, f"{entry['slug']}@productores.demo", f"Coordinación {entry['name']}")
        renamed = {
            "lat": "latitude",
            "lng": "longitude",
            "members": "members_count",
            "women_members": "women_members_count",
        }
        data = OrganizationCreate(
            **{renamed.get(k, k): v for k, v in entry.items() if k not in {"slug", "listings"}}
        )
        pending = index >= len(ORGANIZATIONS) - PENDING_DEMO_ORGS
        organization = Organization(
            slug=entry["slug"],
            **data.model_dump(),
            verification_status="pending" if pending else "verified",
            verified_at=None if pending else now,
        )
        # Delivery costs vary a little between producers, as real ones do (local run, parcel service).
        organization.delivery_fee_cents = 6000 + 1500 * (index % 4)
        organization.shipping_fee_cents = 14900 + 5000 * (index % 3)
        session.add(organization)
        session.flush()
        assert organization.id is not None and owner.id is not None
        session.add(Membership(user_id=owner.id, organization_id=organization.id, role="owner"))
        for item in entry["listings"]:
            tiers = [TierIn(min_quantity=q, unit_price_cents=p) for q, p in item.get("tiers", [])]
            fields = {k: v for k, v in item.items() if k != "tiers"}
            add_listing(session, organization, ListingCreate(**fields, tiers=tiers, status="active"))
        if index < 3 or pending:
            accounts.append(("productora" + (" (pendiente)" if pending else ""), owner.email, DEMO_PASSWORD))
    school = _demo_institution(session)
    accounts.append(("institución compradora", school.email, DEMO_PASSWORD))
    _demo_orders(session, settings or Settings(), consumer, school)
    return accounts


DEMO_INSTITUTION = {
    "name": "Escuela Secundaria Técnica 1 de Oaxaca",
    "kind": "school",
    "rfc": "EST790101AB1",
    "razon_social": "Escuela Secundaria Técnica Número 1",
    "regimen_fiscal": "603",
    "codigo_postal": "68000",
    "uso_cfdi": "G03",
    "state": "20",
    "municipality": "Oaxaca de Juárez",
}


def _demo_institution(session: Session) -> User:
    """A verified school with a public demand open for quotes, so producers see "demands for you"."""
    from market.linking import buyers, demands
    from market.linking.models import BuyerOrganization
    from market.linking.schemas import BuyerOrganizationCreate, DemandCreate

    person = _account(session, "compras@escuela.demo", "Compras de la Secundaria Técnica 1")
    if session.exec(
        select(BuyerOrganization.id).where(BuyerOrganization.rfc == DEMO_INSTITUTION["rfc"])
    ).first():
        return person
    institution = buyers.create(session, person, BuyerOrganizationCreate(**DEMO_INSTITUTION))
    institution.verification_status, institution.verified_at = "verified", utcnow()
    demand = demands.create(
        session,
        person,
        institution,
        DemandCreate(
            title="Café tostado para la cafetería escolar, cada mes",
            description="Café de altura tostado medio, en bolsas de 1 kg, para la cafetería del personal.",
            category="cafe",
            quantity=120,
            unit="kg",
            delivery_state="20",
            delivery_municipality="Oaxaca de Juárez",
            delivery_address="Av. Universidad 120, Ex Hacienda 5 Señores",
            first_delivery=(utcnow() + timedelta(days=21)).date(),
            every_days=30,
            deliveries=6,
            quote_deadline=utcnow() + timedelta(days=14),
            preferred_legal_forms=["coop_produccion"],
        ),
    )
    demands.open_for_quotes(session, person, demand)
    return person


# Demo orders, so that the impact page has figures: (buyer, payment method, [(producer slug, quantity)]).
DEMO_ORDERS: list[tuple[str, str, list[tuple[str, int]]]] = [
    ("consumer", "card", [("yaxal-chulel", 2), ("u-yich-luum", 3)]),
    ("consumer", "spei_transfer", [("palenqueros-matatlan", 1), ("vainilla-totonacapan", 1)]),
    ("school", "invoice", [("cumbres-huatusco", 20), ("maices-cacaxtla", 10)]),
    ("consumer", "cash_on_pickup", [("bordadoras-aguacatenango", 1)]),
    ("consumer", "oxxo", [("caprinocultoras-semidesierto", 4), ("tsitsiki-uarhiti", 6)]),
]


def _demo_orders(session: Session, settings: Settings, consumer: User, school: User) -> None:
    """A few orders through the order services: paid by card, OXXO and transfer, on invoice terms and in
    cash at pickup, with one part the producer rejects (refunded in full). Only where there are no orders."""
    from market.linking import buyers
    from market.orders.checkout import LineDraft, PartDraft, place_order
    from market.orders.fulfillment import mark_paid, move
    from market.orders.models import Fulfillment, Order

    if session.exec(select(Order.id)).first() is not None:
        return
    slugs = {slug for _buyer, _method, items in DEMO_ORDERS for slug, _n in items}
    found = {
        org.slug: org for org in session.exec(select(Organization).where(col(Organization.slug).in_(slugs)))
    }
    if len(found) < len(slugs):  # an older demo database: leave it as it is
        return
    admin = _account(session, ADMIN_EMAIL, "Equipo Tianguis", is_admin=True)
    for number, (buyer_key, method, items) in enumerate(DEMO_ORDERS, start=1):
        buyer = consumer if buyer_key == "consumer" else school
        parts = []
        for slug, quantity in items:
            org = found[slug]
            listing = session.exec(
                select(Listing).where(Listing.organization_id == org.id).order_by(col(Listing.id))
            ).first()
            assert listing is not None and org.id is not None
            delivered = buyer_key == "school"  # the school gets its order at the door
            parts.append(
                PartDraft(
                    organization_id=org.id,
                    delivery_method="delivery" if delivered else "pickup",
                    delivery_cents=org.delivery_fee_cents if delivered else 0,
                    lines=[LineDraft(listing.id, listing.title, listing.unit, listing.price_cents, quantity)],
                )
            )
        ship_to = (
            "Av. Universidad 120, Ex Hacienda 5 Señores, Oaxaca de Juárez" if buyer_key == "school" else None
        )
        order = place_order(
            session,
            settings,
            buyer,
            method,
            parts,
            ship_to=ship_to,
            buyer_organization_id=buyers.buying_for(session, buyer),
        )
        if order.status in ("awaiting_payment", "invoiced"):  # the school has paid its invoice, too
            mark_paid(session, order, admin, f"DEMO-{number:04d}")
        for fulfillment in session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).all():
            owner = _owner_of(session, fulfillment.organization_id)
            if fulfillment.organization_id == found["vainilla-totonacapan"].id:
                move(session, owner, fulfillment.id or 0, "rejected", "Se terminó la vainilla de este año.")
            elif method == "cash_on_pickup":  # the producer records the cash when the buyer picks up
                for step in ("accepted", "preparing", "ready_for_pickup", "delivered"):
                    move(session, owner, fulfillment.id or 0, step)
            elif method == "card":  # picked up, confirmed and reviewed by the buyer
                for step in ("accepted", "preparing", "ready_for_pickup"):
                    move(session, owner, fulfillment.id or 0, step)
                for step in ("delivered", "completed"):
                    move(session, buyer, fulfillment.id or 0, step)
                _demo_review(session, buyer, owner, fulfillment.id or 0)


# What the demo consumer said of the parts she received, and the producer's answer (None: not yet).
DEMO_REVIEWS = [
    (5, "Un café muy aromático, tostado en su punto. Lo recogimos sin esperar.", "¡Gracias! Los esperamos."),
    (4, "Buena miel, con sabor a flores. El frasco llegó un poco pegajoso.", None),
]


def _demo_review(session: Session, buyer: User, owner: User, fulfillment_id: int) -> None:
    from market.reviews import service as reviews
    from market.reviews.models import Review

    written = session.exec(select(func.count()).select_from(Review)).one()
    rating, comment, answer = DEMO_REVIEWS[written % len(DEMO_REVIEWS)]
    review = reviews.create(session, buyer, fulfillment_id, rating, comment)
    if answer:
        reviews.reply(session, owner, review.id or 0, answer)


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
                "verification_status": "verified",
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
                        "status": "active",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            with transaction(engine) as session:
                session.execute(insert(Listing), rows)
            progress.advance(task, len(rows))
    with engine.begin() as connection:  # fresh statistics, or the planner treats the new rows as absent
        connection.execute(text("ANALYZE"))
