"""The demo marketplace shows supplier documents: approved ones with their badges, a certification only
declared, and one document in the administrators' queue; loading it twice adds nothing."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.config import Settings
from market.demo import DEMO_PASSWORD
from market.documents.models import DocumentStatus, SupplierDocument
from market.organizations.models import Organization
from market.seed import load_demo
from tests.helpers import count, log_in
from tests.pages import attr, elements


def test_the_demo_has_documents_to_see_and_one_to_review(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    load_demo(session, settings)
    session.commit()
    documents = count(session, SupplierDocument)
    assert documents > 5
    assert count(session, SupplierDocument, SupplierDocument.status == DocumentStatus.PENDING) == 1
    load_demo(session, settings)
    session.commit()
    assert count(session, SupplierDocument) == documents

    first = session.exec(select(Organization).order_by(Organization.id)).first()  # type: ignore[arg-type]
    assert first is not None and len(first.certifications) >= 1
    profile = TestClient(app).get(f"/productores/{first.slug}")
    states = [
        attr(b, "data-state") for b in elements(profile, ".supplier-certifications [data-certification]")
    ]
    assert states[-1] == "declarada" and set(states[:-1]) <= {"verificada"}

    admin = TestClient(app, follow_redirects=False)
    log_in(admin, "admin@tianguis.demo", DEMO_PASSWORD)
    card = elements(admin.get("/admin/documentos"), "article.review")
    assert len(card) == 1
    link = elements(card[0], "a[href*='/documentos/']")[0]
    download = admin.get(attr(link, "href") or "")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
