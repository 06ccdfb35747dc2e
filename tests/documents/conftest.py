"""A producer with two certifications claimed (the first two codes of the vocabulary, whatever they are),
its owner, a second owner and a plain member; another producer; an administrator; a school that received a
quote from the producer; and files of each kind, made here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from typing import Any

import pytest
from PIL import Image
from sqlmodel import Session

from market.accounts.models import User
from market.documents import checklist
from market.linking import demands
from market.linking.models import BuyerOrganization, Demand
from market.linking.schemas import QuoteCreate
from market.mexico import CERTIFICATIONS
from market.organizations.models import Membership, Organization
from tests.helpers import open_demand

CODES = list(CERTIFICATIONS)[:2]  # the two the producer claims
UNCLAIMED = list(CERTIFICATIONS)[2]


def pdf(size: int = 0) -> bytes:
    """A minimal complete PDF (padded to `size` bytes with a comment when asked)."""
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n"
    padding = b"%" + b"x" * max(0, size - len(body) - 20) + b"\n" if size else b""
    return body + padding + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def image(fmt: str) -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, fmt)
    return out.getvalue()


def today() -> date:
    return checklist.today()


def iso(day: date) -> str:
    return day.isoformat()


@dataclass
class World:
    owner: User
    partner: User  # a second owner
    member: User
    admin: User
    stranger: User  # owner of another producer
    buyer: User  # the school's purchasing officer
    org: Organization
    other: Organization
    school: BuyerOrganization
    demand: Demand


@pytest.fixture
def world(
    session: Session, make_user: Any, make_org: Any, school: BuyerOrganization, school_buyer: User
) -> World:
    owner = make_user("rosa@example.mx", name="Rosa Pérez")
    partner = make_user("juana@example.mx", name="Juana Gómez")
    member = make_user("luis@example.mx", name="Luis Díaz")
    stranger = make_user("otro@example.mx", name="Pedro Ruiz")
    org = make_org(owner, certifications=CODES, latitude=16.9, longitude=-92.5)
    other = make_org(stranger, name="Apicultoras del Puuc", state="31")
    session.add(Membership(user_id=partner.id, organization_id=org.id, role="owner"))
    session.add(Membership(user_id=member.id, organization_id=org.id, role="member"))
    session.commit()
    demand = open_demand(session, school_buyer, school)
    demands.submit_quote(session, owner, demand, org, QuoteCreate(unit_price_cents=30000, quantity=100))
    session.commit()
    return World(
        owner=owner,
        partner=partner,
        member=member,
        admin=make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True),
        stranger=stranger,
        buyer=school_buyer,
        org=org,
        other=other,
        school=school,
        demand=demand,
    )


def later(days: int) -> date:
    return today() + timedelta(days=days)
