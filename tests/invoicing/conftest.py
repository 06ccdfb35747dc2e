"""The invoicing tests' fixtures (their helpers: tests/invoicing/shop.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from market.config import Settings
from market.invoicing import csd_store
from market.invoicing.csd import make_test_csd
from tests.helpers import SCHOOL, make_institution
from tests.invoicing.shop import PRODUCERS


@pytest.fixture
def shop(
    session: Session, settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> dict[str, Any]:
    school = make_user("compras@escuela.mx", name="Escuela Benito Juárez")
    shop: dict[str, Any] = {
        "school": school,
        "institution": make_institution(session, school, SCHOOL),
        "consumer": make_user("luis@example.mx", name="Luis"),
    }
    for key, name, rfc, legal_name, category, price, fee in PRODUCERS:
        owner = make_user(f"{key}@example.mx")
        org = make_org(owner, name=name, rfc=rfc, state="20", delivery_fee_cents=fee)
        org.legal_name, org.tax_regime, org.fiscal_postal_code = legal_name, "601", "29350"
        session.add(org)
        session.commit()
        files = make_test_csd(rfc, legal_name)
        csd_store.upload(session, settings, owner, org, files.certificate, files.key, files.password)
        session.commit()
        listing = make_listing(
            org, title=f"{name}: producto", category=category, price_cents=price, delivery_states=["20"]
        )
        shop[key] = {"owner": owner, "org": org, "listing": listing}
    return shop
