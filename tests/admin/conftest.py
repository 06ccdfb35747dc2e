"""A small market for the administration tests: an administrator, a producer with two listings, a buyer,
and helpers to count what the audit log holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin.models import AuditEntry
from market.catalog.models import Listing
from market.organizations.models import Organization
from tests.helpers import CLABE

REASON = "Fotos tomadas de otro sitio sin permiso"


@dataclass
class World:
    admin: User
    owner: User
    buyer: User
    org: Organization
    coffee: Listing
    honey: Listing


@pytest.fixture
def world(make_user: Any, make_org: Any, make_listing: Any) -> World:
    owner = make_user("cafe@example.mx", name="Rosa Pérez")
    org = make_org(owner, clabe=CLABE)
    return World(
        admin=make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True),
        owner=owner,
        buyer=make_user("eva@example.mx", name="Eva Martínez"),
        org=org,
        coffee=make_listing(org, title="Café de altura", price_cents=10000, stock=100),
        honey=make_listing(
            org,
            title="Miel multifloral",
            description="Miel de flores silvestres de la selva.",
            category="miel",
            price_cents=15000,
            stock=50,
        ),
    )


def audit_entries(session: Session, after_id: int = 0) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEntry).where(col(AuditEntry.id) > after_id).order_by(col(AuditEntry.id))
        ).all()
    )


def last_audit_id(session: Session) -> int:
    entries = audit_entries(session)
    return entries[-1].id or 0 if entries else 0
