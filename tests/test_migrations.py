"""The Alembic migrations build exactly the schema the SQLModel models describe."""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, col, select

import market.models  # noqa: F401  (registers every table)
from market.accounts.models import User
from market.catalog.taxonomy import CATEGORIES, SAT_UNIT_KEYS
from market.db import make_engine
from market.linking.models import BuyerMembership, BuyerOrganization, Demand
from market.migrate import alembic_config
from market.orders.models import Fulfillment, Order
from market.organizations.models import Invitation, Organization, VerificationStatus
from tests.fixtures.database import _drop, _recreate, worker_name


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []


def test_every_model_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())

    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_fees_posted_before_they_named_their_producer_are_attributed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "bdb4436d826b")  # the revision before fees named their producer
    rows = [  # a two-producer sale and a refund, as they used to be posted
        (1, "sale", "cash", None, 20000),
        (2, "sale", "producer_payable", 7, -9200),
        (3, "sale", "platform_fees", None, -800),
        (4, "sale", "producer_payable", 9, -9200),
        (5, "sale", "platform_fees", None, -800),
        (6, "refund", "producer_payable", 9, 9200),
        (7, "refund", "platform_fees", None, 800),
        (8, "refund", "cash", None, -10000),
    ]
    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        db.executemany(
            "INSERT INTO ledgerentry (id, transaction_id, kind, account, organization_id, amount_cents,"
            " created_at) VALUES (?, ?, 'payment', ?, ?, ?, '2026-11-01 00:00:00')",
            rows,
        )

    command.upgrade(alembic_config(url), "head")

    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        fees = db.execute(
            "SELECT id, organization_id FROM ledgerentry WHERE account = 'platform_fees' ORDER BY id"
        ).fetchall()
    assert fees == [(3, 7), (5, 9), (7, 9)]


def test_money_and_quantities_widen_to_64_bits_keeping_every_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "46726fe77a5f")  # the revision before money became 64-bit
    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        db.execute(
            "INSERT INTO orders (id, buyer_id, status, payment_method, subtotal_cents, delivery_cents,"
            " total_cents, platform_fee_cents, created_at)"
            " VALUES (1, 1, 'paid', 'spei_transfer', 64000, 5000, 69000, 5120, '2026-11-01 00:00:00')"
        )
        db.execute(  # a child that cascades on delete: recreating its parent table must not drop it
            "INSERT INTO fulfillment (id, order_id, organization_id, status, delivery_method, subtotal_cents,"
            " delivery_cents, platform_fee_cents, created_at, updated_at) VALUES (1, 1, 1, 'accepted',"
            " 'delivery', 64000, 5000, 5120, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
        )

    command.upgrade(alembic_config(url), "head")

    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        assert db.execute("SELECT total_cents FROM orders").fetchall() == [(69000,)]
        assert db.execute("SELECT order_id, subtotal_cents FROM fulfillment").fetchall() == [(1, 64000)]
    declared = {c["name"]: str(c["type"]) for c in inspect(create_engine(url)).get_columns("orders")}
    assert declared["total_cents"] == "BIGINT"


def test_accounts_that_exist_before_confirmation_count_as_confirmed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "3f1d8c2b7a90")  # the revision before e-mails were confirmed
    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        db.execute(
            'INSERT INTO "user" (id, email, name, password_hash, locale, is_admin, is_active, created_at)'
            " VALUES (1, 'ana@example.mx', 'Ana', 'x', 'es_MX', 0, 1, '2026-11-01 10:00:00.000000')"
        )

    command.upgrade(alembic_config(url), "head")

    engine = make_engine(url)
    with Session(engine) as session:
        user = session.exec(select(User)).one()
        assert user.email_confirmed and user.email_confirmed_at == user.created_at
    engine.dispose()
    command.downgrade(alembic_config(url), "3f1d8c2b7a90")  # and back, keeping the person
    with sqlite3.connect(f"{tmp_path}/old.db") as db:
        assert db.execute('SELECT email FROM "user"').fetchall() == [("ana@example.mx",)]


def test_existing_orders_get_their_institution_and_sales_their_producer_as_it_is(tmp_path: Path) -> None:
    """Rows written before the columns existed: an awarded demand's order is its institution's, a cart order
    is the one verified institution's its buyer belongs to (none for a person who belongs to none), and each
    part keeps its producer's attributes."""
    backfilled_as_expected(f"sqlite:///{tmp_path}/old.db")


def backfilled_as_expected(url: str) -> None:
    """On a database that is empty: rows written with the models, taken back before this revision, then
    migrated again."""
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    when = datetime(2026, 11, 2, tzinfo=UTC)
    with Session(engine) as session:
        nurse, luis = (User(email=e, name=e, password_hash="x") for e in ("n@h.mx", "l@x.mx"))
        session.add_all([nurse, luis])
        org = Organization(
            slug="flor",
            name="Flor de Café",
            legal_form="coop_produccion",
            state="07",
            municipality="Chenalhó",
            members_count=10,
            women_members_count=5,
            indigenous_community="Tsotsil",
            certifications=["spp"],
            sdgs=[2, 8],
        )
        fiscal: dict[str, Any] = {
            "regimen_fiscal": "603",
            "codigo_postal": "68000",
            "uso_cfdi": "G03",
            "municipality": "Oaxaca",
        }
        hospital = BuyerOrganization(
            slug="hospital",
            name="Hospital",
            kind="hospital",
            rfc="HCO850101AB1",
            razon_social="Hospital",
            state="20",
            verification_status=VerificationStatus.VERIFIED,
            **fiscal,
        )
        school = BuyerOrganization(
            slug="escuela",
            name="Escuela",
            kind="school",
            rfc="EPB850101AB1",
            razon_social="Escuela",
            state="20",
            verification_status=VerificationStatus.PENDING,
            **fiscal,
        )
        session.add_all([org, hospital, school])
        session.flush()
        session.add(BuyerMembership(user_id=nurse.id or 0, buyer_organization_id=hospital.id or 0))
        demand = Demand(
            buyer_organization_id=school.id or 0,
            created_by=nurse.id or 0,
            title="Miel",
            category="miel",
            quantity=5,
            unit="kg",
            delivery_state="20",
            delivery_municipality="Oaxaca",
            delivery_address="Centro",
            first_delivery=when.date(),
            quote_deadline=when,
        )
        session.add(demand)
        session.flush()
        money: dict[str, Any] = {
            "subtotal_cents": 100,
            "delivery_cents": 0,
            "total_cents": 100,
            "platform_fee_cents": 8,
        }
        orders = [
            Order(buyer_id=nurse.id or 0, payment_method="spei_transfer", **money),
            Order(buyer_id=luis.id or 0, payment_method="card", **money),
            Order(buyer_id=nurse.id or 0, payment_method="invoice", demand_id=demand.id, **money),
        ]
        session.add_all(orders)
        session.flush()
        for order in orders:
            session.add(
                Fulfillment(
                    order_id=order.id or 0,
                    organization_id=org.id or 0,
                    delivery_method="pickup",
                    subtotal_cents=100,
                    delivery_cents=0,
                    platform_fee_cents=8,
                )
            )
        session.commit()
        ids, hospital_id, school_id = [o.id for o in orders], hospital.id, school.id
    command.downgrade(alembic_config(url), "6518672ee6b5")  # as the rows were before this revision

    command.upgrade(alembic_config(url), "head")

    with Session(engine) as session:
        found = session.exec(select(Order.id, Order.buyer_organization_id).order_by(col(Order.id))).all()
        assert [institution for _id, institution in found] == [hospital_id, None, school_id]
        assert [order_id for order_id, _ in found] == ids
        parts = session.exec(select(Fulfillment)).all()
        assert {
            (f.producer_state, f.producer_legal_form, f.producer_women_led, f.producer_indigenous)
            for f in parts
        } == {("07", "coop_produccion", True, True)}
        assert [(f.producer_certifications, f.producer_sdgs) for f in parts] == [(["spp"], [2, 8])] * 3
    engine.dispose()


BEFORE_SAT_KEYS = "f6068acefbfb"  # the revision before listings carried the SAT's keys


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own for taking migrations back and forth: a SQLite file, or on PostgreSQL (when the
    tests run there) a database next to this worker's, dropped afterwards."""
    given = os.environ.get("MARKET_TEST_DATABASE_URL")
    if not given:
        yield f"sqlite:///{tmp_path}/old.db"
        return
    base = make_url(given)
    url = base.set(database=f"{base.database}_{worker_name()}_old").render_as_string(hide_password=False)
    _recreate(url)
    try:
        yield url
    finally:
        _drop(url)


def test_existing_listings_get_the_sat_keys_suggested_for_their_category_and_unit(
    scratch_database: str,
) -> None:
    url = scratch_database
    command.upgrade(alembic_config(url), BEFORE_SAT_KEYS)
    engine = create_engine(url)
    rows = [  # (id, category, kind, unit): every category and unit, and some from before the vocabulary
        (1, "cafe", "good", "kg"),
        (2, "cacao-chocolate", "good", "pieza"),
        (3, "ecoturismo", "service", "persona"),
        (4, "servicios", "service", "hora"),
        (5, "textiles", "good", "bulto"),
        (6, "juguetes", "service", "jornada"),
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organization (id, slug, name, legal_form, state, municipality, members_count,"
                " women_members_count, certifications, sdgs, description, verification_status, suspended,"
                " created_at, updated_at) VALUES (1, 'flor', 'Flor', 'coop_produccion', '07', 'Chenalhó',"
                " 10, 5, '[]', '[]', '', 'verified', false, '2026-11-01', '2026-11-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO listing (id, organization_id, slug, title, description, category, kind, unit,"
                " price_cents, minimum_order, lead_time_days, pickup, delivery_states, national_shipping,"
                " status, suspended, created_at, updated_at) VALUES (:id, 1, 'x', 'X', '', :category, :kind,"
                " :unit, 100, 1, 0, true, '[]', false, 'active', false, '2026-11-01', '2026-11-01')"
            ),
            [dict(zip(("id", "category", "kind", "unit"), row, strict=True)) for row in rows],
        )

    command.upgrade(alembic_config(url), "head")

    with engine.connect() as connection:
        keys = connection.execute(
            text("SELECT id, sat_product_key, sat_unit_key, tax_object FROM listing ORDER BY id")
        ).all()
    assert [tuple(row) for row in keys] == [
        (1, "50201706", "KGM", "02"),
        (2, "50161511", "H87", "02"),
        (3, "90121501", "IE", "02"),
        (4, "93141904", "HUR", "02"),
        (5, "53102200", "H87", "02"),
        (6, "01010101", "E48", "02"),
    ]
    migrated = inspect(engine).get_columns("listing")
    assert {c["name"]: c["nullable"] for c in migrated if c["name"].startswith(("sat_", "tax_"))} == {
        "sat_product_key": False,
        "sat_unit_key": False,
        "tax_object": False,
    }
    command.downgrade(alembic_config(url), BEFORE_SAT_KEYS)  # and back, keeping the listings
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM listing")).scalar() == len(rows)
    engine.dispose()


def test_the_migration_suggests_what_the_catalog_suggests() -> None:
    """The migration keeps its own copy of the suggestions (it imports nothing of the application's): the
    same as the taxonomy's when it was written."""
    path = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    module_file = next(path.glob("*_3dfefaad3d1c_*.py"))
    spec = importlib.util.spec_from_file_location("sat_keys_migration", module_file)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert {c.slug: c.sat_product_key for c in CATEGORIES} == migration.PRODUCT_KEYS
    assert migration.UNIT_KEYS == SAT_UNIT_KEYS


BEFORE_SPLIT_FORMS = "d4f1a3c8e217"  # the revision before "Unión de ejidos, SPR o ARIC" became three forms


def test_the_joint_agrarian_form_becomes_the_one_each_organization_is_named_as(scratch_database: str) -> None:
    url = scratch_database
    command.upgrade(alembic_config(url), BEFORE_SPLIT_FORMS)
    engine = create_engine(url)
    named = [  # (id, name, legal form): three under the joint form, one that was never under it
        (1, "Unión de Productores de Mezcal Papalote, SPR de RI", "union_spr_aric"),
        (2, "Unión de Ejidos Cafetaleros Cumbres de Huatusco", "union_spr_aric"),
        (3, "ARIC Unión de Uniones Ejidales de la Selva", "union_spr_aric"),
        (4, "Sociedad de Producción Rural del Valle", "coop_produccion"),
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO "user" (id, email, name, password_hash, locale, is_admin, is_active, created_at)'
                " VALUES (1, 'a@x.mx', 'A', 'x', 'es_MX', false, true, '2026-11-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO organization (id, slug, name, legal_form, state, municipality, members_count,"
                " women_members_count, certifications, sdgs, description, verification_status, suspended,"
                " created_at, updated_at) VALUES (:id, :slug, :name, :form, '07', 'Chenalhó',"
                " 10, 5, '[]', '[]', '', 'verified', false, '2026-11-01', '2026-11-01')"
            ),
            [{"id": i, "slug": f"o{i}", "name": name, "form": form} for i, name, form in named],
        )
        connection.execute(
            text(
                "INSERT INTO organizationchange (id, organization_id, requested_by_id, changes, status,"
                " created_at) VALUES (1, 4, 1, :changes, 'pending', '2026-11-01')"
            ),
            {"changes": '{"legal_form": "union_spr_aric", "name": "Unión de SPR del Valle"}'},
        )

    command.upgrade(alembic_config(url), "head")

    with engine.connect() as connection:
        forms = connection.execute(
            text("SELECT id, legal_form, updated_at FROM organization ORDER BY id")
        ).all()
        change = connection.execute(text("SELECT changes FROM organizationchange")).scalar_one()
    assert [form for _, form, _ in forms] == ["spr", "union_ejidos", "aric", "coop_produccion"]
    assert [str(updated) > "2026-11-02" for *_, updated in forms] == [True, True, True, False]  # reindexed
    assert (json.loads(change) if isinstance(change, str) else change)["legal_form"] == "spr"
    command.downgrade(alembic_config(url), BEFORE_SPLIT_FORMS)  # and back, under the joint form again
    with engine.connect() as connection:
        assert [
            row[0] for row in connection.execute(text("SELECT legal_form FROM organization ORDER BY id"))
        ] == ["union_spr_aric"] * 3 + ["coop_produccion"]
    engine.dispose()


BEFORE_MEMBER_MANAGEMENT = "e5d4fa053e64"  # the revision before invitations expired


def test_existing_invitations_expire_a_week_after_they_were_sent_and_members_date_from_their_institution(
    scratch_database: str,
) -> None:
    """Rows written with the models, taken back before the revision (its columns dropped), then migrated
    again: each invitation expires seven days after it was sent; an institution's members joined when it was
    registered."""
    url = scratch_database
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    sent, registered = datetime(2026, 11, 2, 10, 30, tzinfo=UTC), datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    with Session(engine) as session:
        ana = User(email="ana@example.mx", name="Ana", password_hash="x")
        org = Organization(
            slug="flor", name="Flor", legal_form="coop_produccion", state="07", municipality="X"
        )
        school = BuyerOrganization(
            slug="escuela",
            name="Escuela",
            kind="school",
            rfc="EPB850101AB1",
            razon_social="Escuela",
            regimen_fiscal="603",
            codigo_postal="68000",
            uso_cfdi="G03",
            state="20",
            municipality="Oaxaca",
            created_at=registered,
        )
        session.add_all([ana, org, school])
        session.flush()
        session.add(
            Invitation(
                organization_id=org.id or 0,
                email="beto@example.mx",
                token="t",
                invited_by_id=ana.id or 0,
                created_at=sent,
            )
        )
        session.add(BuyerMembership(user_id=ana.id or 0, buyer_organization_id=school.id or 0, role="owner"))
        session.commit()
    command.downgrade(alembic_config(url), BEFORE_MEMBER_MANAGEMENT)
    command.upgrade(alembic_config(url), "head")
    with Session(engine) as session:
        invitation = session.exec(select(Invitation)).one()
        assert invitation.expires_at == sent + timedelta(days=7) and invitation.revoked_at is None
        assert session.exec(select(BuyerMembership)).one().created_at == registered
    engine.dispose()
