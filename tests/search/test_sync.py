"""The index follows the database through the outbox, survives a Meilisearch outage without losing an
edit, parks a document Meilisearch refuses, and rebuilds with a swap."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text, update
from sqlmodel import Session, col, select

from market.app import create_app
from market.catalog import search_documents
from market.catalog.models import Listing, ListingStatus
from market.catalog.search_index import (
    apply_search_events,
    check,
    outages,
    rebuild_if_lost,
    reindex,
    repair,
)
from market.config import Settings
from market.db import utcnow
from market.organizations import service as organizations
from market.outbox import MAX_ATTEMPTS, OutboxEvent, search_changed
from search.engine import SearchQuery
from tests.fixtures.meili import MeiliServer
from tests.helpers import LISTING_DEFAULTS, api_token, run_search_worker


def titles(app: FastAPI, **query: Any) -> list[str]:
    return sorted(hit.title for hit in app.state.search.search(SearchQuery(per_page=100, **query)).hits)


def make_due(session: Session) -> None:
    """Let time pass for the back-offs: every pending event is due now, and no engine is waited for."""
    outages.clear()
    session.execute(
        update(OutboxEvent).where(col(OutboxEvent.processed_at).is_(None)).values(available_at=utcnow())
    )
    session.commit()


@pytest.fixture
def meili_app(meili_settings: Settings) -> FastAPI:
    app = create_app(meili_settings)
    app.state.search.ensure_ready()
    return app


def test_the_index_follows_listings_and_organizations(
    meili_app: FastAPI, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    owner, admin = make_user(), make_user("admin@example.mx", is_admin=True)
    org = make_org(owner)
    coffee = make_listing(org, title="Café de altura")
    make_listing(org, title="Miel multifloral", category="miel")
    assert run_search_worker(meili_app) == 2
    assert titles(meili_app) == ["Café de altura", "Miel multifloral"]

    client = TestClient(meili_app)
    headers = api_token(client, owner.email)
    assert client.post(
        f"/api/v1/listings/{coffee.id}/status", json={"status": "paused"}, headers=headers
    ).is_success
    run_search_worker(meili_app)
    assert titles(meili_app) == ["Miel multifloral"]

    organizations.suspend(session, admin, org, "Revisión de documentos")
    session.commit()
    run_search_worker(meili_app)
    assert titles(meili_app) == []

    organizations.reinstate(session, admin, org, "Documentos en regla")
    session.commit()
    run_search_worker(meili_app)
    assert titles(meili_app) == ["Miel multifloral"]
    assert check(session, meili_app.state.search).total == 0


def test_edits_during_an_outage_succeed_and_the_index_converges(
    own_meilisearch: MeiliServer,
    settings: Settings,
    session: Session,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    app = create_app(
        settings.model_copy(
            update={
                "meili_url": own_meilisearch.url,
                "meili_master_key": own_meilisearch.key,
                "meili_index": "outage",
            }
        )
    )
    app.state.search.ensure_ready()
    owner = make_user()
    org = make_org(owner)
    listings = [make_listing(org, title=f"Café lote {n}") for n in range(5)]
    run_search_worker(app)
    client = TestClient(app)
    headers = api_token(client, owner.email)

    own_meilisearch.stop()
    for listing in listings[:3]:
        response = client.patch(
            f"/api/v1/listings/{listing.id}", json={"title": f"Cacao lote {listing.id}"}, headers=headers
        )
        assert response.status_code == 200
    assert (
        client.post(
            f"/api/v1/listings/{listings[4].id}/status", json={"status": "archived"}, headers=headers
        ).status_code
        == 200
    )
    created = client.post(
        f"/api/v1/organizations/{org.slug}/listings",
        json=LISTING_DEFAULTS | {"title": "Vainilla nueva"},
        headers=headers,
    )
    assert created.status_code == 201
    assert run_search_worker(app) == 0  # nothing is marked done while the engine is away
    pending = session.exec(select(OutboxEvent).where(col(OutboxEvent.processed_at).is_(None))).all()
    assert len(pending) == 5  # and none was rewritten: the topic waits as a whole, in the worker's memory
    assert all((e.attempts, e.parked_at, e.last_error) == (0, None, None) for e in pending)
    assert outages[app.state.search].failures == 1

    own_meilisearch.start()
    make_due(session)
    run_search_worker(app)
    session.expire_all()
    assert check(session, app.state.search).total == 0
    expected = sorted(
        [f"Cacao lote {listing.id}" for listing in listings[:3]] + ["Café lote 3", "Vainilla nueva"]
    )
    assert titles(app) == expected


def test_a_document_meilisearch_refuses_is_parked_and_the_others_go_through(
    meili_app: FastAPI,
    session: Session,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_listing(make_org(make_user()), title="Miel de azahar", category="miel")
    broken = make_listing(
        make_org(make_user("eva@example.mx"), name="Mezcaleras Unidas", latitude=17.0, longitude=-96.7),
        title="Mezcal tobalá",
        category="mezcal-destilados",
    )
    # Stand-in for a bug in the document code: Meilisearch really refuses a latitude that is not a number.
    real = search_documents.document

    def faulty(row: Any, photo: str | None = None) -> dict[str, Any]:
        result = real(row, photo)
        if row["id"] == broken.id:
            result["_geo"]["lat"] = "norte"
        return result

    monkeypatch.setattr(search_documents, "document", faulty)

    for _ in range(MAX_ATTEMPTS + 1):
        run_search_worker(meili_app)
        make_due(session)
    assert titles(meili_app) == ["Miel de azahar"]
    session.expire_all()
    events = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id))).all()
    parked = [e for e in events if e.parked_at is not None]
    assert [e.payload["listing_ids"] for e in parked] == [[broken.id]]
    assert parked[0].attempts == MAX_ATTEMPTS
    assert "invalid_document_geo_field" in (parked[0].last_error or "")
    assert all(e.processed_at is not None for e in events if e not in parked)


def test_reindex_swaps_in_a_complete_index_and_check_repairs(
    meili_app: FastAPI, session: Session, engine: Any, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    org = make_org(make_user())
    for n in range(7):
        make_listing(org, title=f"Tostadas de maíz {n}", category="alimentos-procesados")
    assert reindex(engine, meili_app.state.search) == 7
    assert len(titles(meili_app)) == 7
    assert check(session, meili_app.state.search).total == 0

    make_listing(org, title="Salsa macha")  # its event is not applied: the index misses it
    session.execute(
        text("UPDATE listing SET title = 'Tostadas horneadas' WHERE title = 'Tostadas de maíz 0'")
    )
    session.execute(
        text("UPDATE listing SET updated_at = :now WHERE title = 'Tostadas horneadas'"), {"now": utcnow()}
    )
    session.commit()
    differences = check(session, meili_app.state.search)
    assert (len(differences.missing), len(differences.extra), len(differences.stale)) == (1, 0, 1)
    repair(session, meili_app.state.search, differences)
    assert check(session, meili_app.state.search).total == 0
    assert "Tostadas horneadas" in titles(meili_app)


def test_reindex_keeps_changes_made_while_it_was_building(
    meili_app: FastAPI, engine: Any, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    org = make_org(make_user())
    listing = make_listing(org, title="Jabón de miel")
    run_search_worker(meili_app)

    def edit_during_build(_n: int) -> None:
        with Session(engine) as other:
            other.execute(
                text("UPDATE listing SET title = 'Jabón de avena', updated_at = :now WHERE id = :id"),
                {"id": listing.id, "now": utcnow()},
            )
            search_changed(other, listing_ids=[listing.id or 0])
            other.commit()
        run_search_worker(meili_app)  # the worker updates the old index, which the swap replaces

    reindex(engine, meili_app.state.search, edit_during_build)
    assert titles(meili_app) == ["Jabón de avena"]


def test_two_workers_under_concurrent_edits_leave_the_index_equal_to_the_database(
    meili_app: FastAPI, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    """Two workers apply search events while a producer pauses, resumes and retitles listings: once they
    have caught up, the index shows exactly the public listings (none lost, none stale, none extra)."""
    owner = make_user()
    org = make_org(owner)
    listings = [make_listing(org, title=f"Café lote {n}") for n in range(8)]
    run_search_worker(meili_app)
    client = TestClient(meili_app)
    headers = api_token(client, owner.email)
    editing = threading.Event()
    editing.set()
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            while editing.is_set():
                apply_search_events(meili_app.state.engine, meili_app.state.search, limit=3)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    try:
        paused: set[int] = set()
        for round_ in range(8):  # listings paused and resumed, each on its own rhythm
            for n, listing in enumerate(listings):
                path = f"/api/v1/listings/{listing.id}"
                if (round_ + n) % 3:
                    status = "active" if listing.id in paused else "paused"
                    paused ^= {listing.id}
                    assert client.post(f"{path}/status", json={"status": status}, headers=headers).is_success
                if (n + round_) % 3 == 0:
                    title = {"title": f"Café lote {n}, ronda {round_}"}
                    assert client.patch(path, json=title, headers=headers).is_success
    finally:
        editing.clear()
        for thread in workers:
            thread.join(60)
    assert failures == []
    run_search_worker(meili_app)

    session.expire_all()
    assert check(session, meili_app.state.search).total == 0
    public = session.exec(select(Listing.title).where(Listing.status == ListingStatus.ACTIVE)).all()
    assert titles(meili_app) == sorted(public)


class HeldBeforeDelete:
    """A worker's engine that stops before its delete until `go` is set: the moment another worker could
    write a newer state of the same listing."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.reached, self.go = engine, threading.Event(), threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def delete(self, ids: list[int]) -> None:
        self.reached.set()
        assert self.go.wait(30)
        self.engine.delete(ids)


def test_a_worker_cannot_write_a_listing_while_another_is_writing_an_older_state_of_it(
    meili_app: FastAPI, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    owner = make_user()
    coffee = make_listing(make_org(owner), title="Café de altura")
    run_search_worker(meili_app)
    client = TestClient(meili_app)
    headers = api_token(client, owner.email)
    status = f"/api/v1/listings/{coffee.id}/status"
    assert client.post(status, json={"status": "paused"}, headers=headers).is_success
    held = HeldBeforeDelete(meili_app.state.search)
    first = threading.Thread(target=apply_search_events, args=(meili_app.state.engine, held))
    first.start()
    assert held.reached.wait(30)  # the first worker read the listing paused and is about to delete it

    assert client.post(status, json={"status": "active"}, headers=headers).is_success
    second = apply_search_events(meili_app.state.engine, meili_app.state.search)
    held.go.set()
    first.join(30)
    run_search_worker(meili_app)

    session.expire_all()
    assert check(session, meili_app.state.search).total == 0
    assert titles(meili_app) == ["Café de altura"]
    assert second == 0  # it waited for its turn instead of adding the listing before the delete


def test_a_meilisearch_restarted_on_an_empty_data_directory_is_rebuilt_with_its_settings(
    own_meilisearch: MeiliServer,
    settings: Settings,
    session: Session,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    app = create_app(
        settings.model_copy(
            update={"meili_url": own_meilisearch.url, "meili_master_key": own_meilisearch.key}
        )
    )
    search = app.state.search
    search.ensure_ready()
    owner = make_user()
    org = make_org(owner)
    listings = [make_listing(org, title=f"Café lote {n}") for n in range(5)]
    run_search_worker(app)
    assert rebuild_if_lost(app.state.engine, search) is None  # a sound index is left alone

    own_meilisearch.stop()
    shutil.rmtree(own_meilisearch.data_dir)
    own_meilisearch.data_dir = tempfile.mkdtemp(prefix="meili-")  # as if its volume were lost
    own_meilisearch.start()
    client = TestClient(app)
    headers = api_token(client, owner.email)
    retitled = {"title": "Cacao criollo"}
    assert client.patch(f"/api/v1/listings/{listings[0].id}", json=retitled, headers=headers).is_success
    assert run_search_worker(app) == 0  # the edit waits: no index is made without its settings
    assert search.index_state().exists is False

    assert rebuild_if_lost(app.state.engine, search) == "the index is missing"
    make_due(session)
    run_search_worker(app)

    state = search.index_state()
    assert (state.exists, state.settings_current, state.documents) == (True, True, 5)
    session.expire_all()
    assert check(session, search).total == 0
    assert titles(app) == sorted(["Cacao criollo"] + [f"Café lote {n}" for n in range(1, 5)])


def test_an_index_that_lost_its_settings_or_its_documents_is_rebuilt(
    meili_app: FastAPI, session: Session, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    org = make_org(make_user())
    for n in range(4):
        make_listing(org, title=f"Miel lote {n}")
    run_search_worker(meili_app)
    search = meili_app.state.search
    index = search.client.index(search.uid)

    search._wait(index.update_settings({"rankingRules": ["words", "typo"]}).task_uid)
    assert rebuild_if_lost(meili_app.state.engine, search) == "the index settings differ from the code's"
    assert search.index_state().settings_current

    search._wait(index.delete_all_documents().task_uid)
    reason = rebuild_if_lost(meili_app.state.engine, search)

    assert reason == "the index holds 0 documents for 4 public listings"
    assert search.index_state().documents == 4
    assert check(session, search).total == 0


def test_the_embedded_index_deleted_by_hand_is_rebuilt(
    app: FastAPI, make_user: Any, make_org: Any, make_listing: Any, settings: Settings
) -> None:
    org = make_org(make_user())
    make_listing(org, title="Vainilla de Papantla")
    run_search_worker(app)
    search = app.state.search
    assert search.index_state().documents == 1

    Path(settings.search_db_path).unlink()
    assert rebuild_if_lost(app.state.engine, search) == "the index is missing"

    assert titles(app) == ["Vainilla de Papantla"]
