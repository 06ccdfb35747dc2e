"""The documents' JSON API: uploads validated by content, size and dates (nothing stored on refusal), who may
list, upload and fetch, the administrators' review, renewals, and the badges in the organization's JSON."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.documents import files
from market.documents.models import DocumentStatus, SupplierDocument
from market.storage import storage_for
from tests.documents.conftest import CODES, UNCLAIMED, World, image, iso, later, pdf, today
from tests.helpers import api_token, count, database_state, emails, fresh
from tests.test_images import jpeg_declaring, png_declaring


def url(world: World, tail: str = "") -> str:
    return f"/api/v1/organizations/{world.org.slug}/documents{tail}"


def send(
    client: TestClient,
    world: World,
    headers: dict[str, str],
    kind: str = "constancia_situacion_fiscal",
    content: bytes | None = None,
    name: str = "constancia.pdf",
    **fields: str,
) -> Any:
    data = {"kind": kind, "issued_on": iso(later(-10))} | fields
    return client.post(
        url(world), data=data, files={"file": (name, pdf() if content is None else content)}, headers=headers
    )


@pytest.fixture
def owner(client: TestClient, world: World) -> dict[str, str]:
    return api_token(client, world.owner.email)


@pytest.fixture
def admin(client: TestClient, world: World) -> dict[str, str]:
    return api_token(client, world.admin.email)


def test_an_owner_uploads_and_the_checklist_says_what_applies(
    client: TestClient, world: World, owner: dict[str, str]
) -> None:
    response = send(client, world, owner)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["kind"], body["content_type"]) == (
        "pending_review",
        "constancia_situacion_fiscal",
        "application/pdf",
    )

    listed = client.get(url(world), headers=owner).json()
    assert [r["key"] for r in listed] == [
        "constancia_situacion_fiscal",
        "opinion_cumplimiento",
        "acta_constitutiva",  # a cooperative
        *[f"certificacion:{code}" for code in CODES],
    ]
    assert [r["standing"] for r in listed] == ["in_review", "missing", "missing", "missing", "missing"]


def test_an_ejido_is_asked_for_its_ran_registration_not_an_acta(
    client: TestClient, session: Session, world: World, owner: dict[str, str]
) -> None:
    world.org.legal_form = "ejido"
    session.add(world.org)
    session.commit()
    keys = [r["key"] for r in client.get(url(world), headers=owner).json()]
    assert "registro_ran" in keys and "acta_constitutiva" not in keys
    refused = send(client, world, owner, kind="acta_constitutiva")
    assert refused.status_code == 422 and "kind" in refused.json()["fields"]
    assert send(client, world, owner, kind="registro_ran").status_code == 201


def test_the_opinion_expires_30_days_after_issue_unless_earlier(
    client: TestClient, world: World, owner: dict[str, str]
) -> None:
    issued = later(-5)
    body = send(client, world, owner, kind="opinion_cumplimiento", issued_on=iso(issued)).json()
    assert body["expires_on"] == iso(issued + (later(30) - today()))

    too_long = send(
        client, world, owner, kind="opinion_cumplimiento", issued_on=iso(issued), expires_on=iso(later(60))
    )
    assert too_long.status_code == 422
    assert "30 días" in too_long.json()["fields"]["expires_on"]


@pytest.mark.parametrize(
    ("fields", "content", "field", "words"),
    [
        ({}, b"hola, soy un texto", "file", "PDF, una foto JPEG o una imagen PNG"),
        ({}, b"GIF89a" + b"\x00" * 20, "file", "PDF, una foto JPEG o una imagen PNG"),
        ({}, b"%PDF-1.4\nsin final", "file", "dañado"),  # a PDF cut short
        ({}, b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "file", "dañada"),  # a PNG header and nothing else
        ({}, b"", "file", "Elige el archivo"),
        ({"issued_on": iso(later(3))}, None, "issued_on", "posterior a hoy"),
        ({"issued_on": "2026-02-30"}, None, "issued_on", ""),
        ({"kind": "certificacion:" + CODES[0], "expires_on": ""}, None, "expires_on", "hasta qué fecha"),
        (
            {"kind": "certificacion:" + CODES[0], "issued_on": iso(later(-5)), "expires_on": iso(later(-6))},
            None,
            "expires_on",
            "después de la fecha de emisión",
        ),
        (
            {"kind": "certificacion:" + CODES[0], "issued_on": iso(later(-50)), "expires_on": iso(later(-1))},
            None,
            "expires_on",
            "ya venció",
        ),
        (
            {"kind": "certificacion:" + UNCLAIMED, "expires_on": iso(later(300))},
            None,
            "certification",
            "no declara",
        ),
        (
            {"kind": "certificacion:no_existe", "expires_on": iso(later(300))},
            None,
            "certification",
            "no declara",
        ),
        ({"kind": "pasaporte"}, None, "kind", "Elige uno"),
        ({"issued_on": "0001-01-01"}, None, "issued_on", "debe ser reciente"),
        ({"issued_on": iso(later(-400))}, None, "issued_on", "debe ser reciente"),
        ({"kind": "opinion_cumplimiento", "issued_on": iso(later(-31))}, None, "issued_on", "30 días"),
        (
            {"kind": "acta_constitutiva", "issued_on": "1899-12-31"},
            None,
            "issued_on",
            "anterior al 01/01/1900",
        ),
        (
            {"kind": "certificacion:" + CODES[0], "issued_on": "0001-01-01", "expires_on": iso(later(300))},
            None,
            "issued_on",
            "anterior al 01/01/1900",
        ),
        (
            {"kind": "certificacion:" + CODES[0], "expires_on": "9999-12-31"},
            None,
            "expires_on",
            "no puede pasar del",
        ),
        (
            {"kind": "certificacion:" + CODES[0], "certification": CODES[1], "expires_on": iso(later(300))},
            None,
            "certification",
            "otra certificación",
        ),
        ({}, png_declaring(30000, 30000), "file", "La imagen mide 30000 × 30000 px; el máximo es 32"),
        ({}, jpeg_declaring(9000, 9000), "file", "La imagen mide 9000 × 9000 px"),
    ],
)
def test_a_wrong_upload_is_refused_on_its_field_and_writes_nothing(
    client: TestClient,
    engine: Engine,
    settings: Any,
    world: World,
    owner: dict[str, str],
    fields: dict[str, str],
    content: bytes | None,
    field: str,
    words: str,
) -> None:
    before = database_state(engine)
    response = send(client, world, owner, content=content, name="documento.pdf", **fields)
    assert response.status_code == 422, response.text
    assert words in response.json()["fields"][field]
    assert database_state(engine) == before
    assert not (settings.media_dir / "documents").exists()


def test_a_file_over_10_mb_is_refused(client: TestClient, world: World, owner: dict[str, str]) -> None:
    response = send(client, world, owner, content=pdf(files.MAX_BYTES + 1))
    assert response.status_code in (413, 422)
    assert count_documents(client) == 0


def count_documents(client: TestClient) -> int:
    from sqlmodel import Session as S

    with S(client.app.state.engine) as s:  # type: ignore[attr-defined]
        return count(s, SupplierDocument)


def test_plausible_dates_at_the_edges_are_accepted(
    client: TestClient, world: World, owner: dict[str, str]
) -> None:
    acta = send(client, world, owner, kind="acta_constitutiva", issued_on="1900-01-01")
    assert acta.status_code == 201, acta.text
    constancia = send(client, world, owner, issued_on=iso(later(-365)))
    assert constancia.status_code == 201, constancia.text
    named_once = send(
        client,
        world,
        owner,
        kind="certificacion:" + CODES[0],
        certification=CODES[0],
        expires_on=iso(later(3650)),
    )
    assert named_once.status_code == 201, named_once.text
    assert named_once.json()["certification"] == CODES[0]


def test_jpeg_and_png_are_accepted_by_content_whatever_their_name(
    client: TestClient, world: World, owner: dict[str, str]
) -> None:
    jpeg = send(client, world, owner, content=image("JPEG"), name="foto.pdf").json()
    png = send(client, world, owner, kind="acta_constitutiva", content=image("PNG"), name="acta").json()
    assert (jpeg["content_type"], png["content_type"]) == ("image/jpeg", "image/png")


def test_who_may_list_upload_and_fetch(
    client: TestClient, world: World, owner: dict[str, str], admin: dict[str, str]
) -> None:
    document = send(client, world, owner).json()
    file_url = document["file_url"]
    member = api_token(client, world.member.email)
    stranger = api_token(client, world.stranger.email)
    buyer = api_token(client, world.buyer.email)

    assert client.get(url(world), headers=member).status_code == 200
    assert client.get(url(world), headers=stranger).status_code == 403
    assert client.get(url(world)).status_code == 401
    assert send(client, world, member).status_code == 403
    assert send(client, world, stranger).status_code == 403

    assert client.get(file_url, headers=owner).content == pdf()
    assert client.get(file_url, headers=member).status_code == 200
    assert client.get(file_url, headers=admin).status_code == 200
    assert client.get(file_url, headers=stranger).status_code == 404
    assert client.get(file_url).status_code == 401
    # the school the producer quoted to sees approved documents in force only
    assert client.get(file_url, headers=buyer).status_code == 404
    client.post(f"/api/v1/admin/documents/{document['id']}/approve", headers=admin)
    response = client.get(file_url, headers=buyer)
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "no-store" in response.headers["cache-control"]
    # and never through the public media route, whatever its key
    with Session(client.app.state.engine) as s:  # type: ignore[attr-defined]
        key = fresh(s, SupplierDocument, document["id"]).file_key
    assert client.get(f"/media/{key}").status_code == 404
    # another organization's slug with this id: not found
    assert (
        client.get(
            f"/api/v1/organizations/{world.other.slug}/documents/{document['id']}/file", headers=admin
        ).status_code
        == 404
    )


def test_review_tells_the_owners_and_a_renewal_replaces_the_approved_one_once_approved(
    client: TestClient, session: Session, world: World, owner: dict[str, str], admin: dict[str, str]
) -> None:
    first = send(client, world, owner).json()
    assert client.post(f"/api/v1/admin/documents/{first['id']}/approve", headers=owner).status_code == 403
    approved = client.post(f"/api/v1/admin/documents/{first['id']}/approve", headers=admin)
    assert approved.json()["status"] == "approved"
    again = client.post(f"/api/v1/admin/documents/{first['id']}/approve", headers=admin)
    assert again.status_code == 409

    second = send(client, world, owner, issued_on=iso(later(-1))).json()
    no_reason = client.post(
        f"/api/v1/admin/documents/{second['id']}/reject", json={"reason": " "}, headers=admin
    )
    assert no_reason.status_code == 422
    rejected = client.post(
        f"/api/v1/admin/documents/{second['id']}/reject", json={"reason": "Es de otro RFC"}, headers=admin
    ).json()
    assert (rejected["status"], rejected["rejection_reason"]) == ("rejected", "Es de otro RFC")
    entry = client.get(url(world), headers=owner).json()[0]
    assert (entry["standing"], entry["in_force"]) == ("rejected", True)  # the approved one still holds

    third = send(client, world, owner, issued_on=iso(later(-1))).json()
    assert fresh(session, SupplierDocument, second["id"]).status == DocumentStatus.SUPERSEDED
    client.post(f"/api/v1/admin/documents/{third['id']}/approve", headers=admin)
    assert fresh(session, SupplierDocument, first["id"]).status == DocumentStatus.SUPERSEDED
    entry = client.get(url(world), headers=owner).json()[0]
    assert entry["standing"] == "valid"
    assert [d["id"] for d in entry["documents"]] == [third["id"], second["id"], first["id"]]  # history kept

    told = [(e["to"], e["subject"]) for e in emails(session) if e["kind"] == "supplier_document"]
    assert len(told) == 6  # three decisions, two owners each
    assert (
        "juana@example.mx",
        f"{world.org.name}: no aprobamos su documento «Constancia de Situación Fiscal»",
    ) in told
    assert all(
        e["link"] == f"/panel/o/{world.org.slug}/documentos"
        for e in emails(session)
        if e["kind"] == "supplier_document"
    )


def test_the_public_json_says_verificada_only_with_approved_evidence_in_force(
    client: TestClient, world: World, owner: dict[str, str], admin: dict[str, str]
) -> None:
    evidence = send(client, world, owner, kind=f"certificacion:{CODES[0]}", expires_on=iso(later(200))).json()
    public = client.get(f"/api/v1/organizations/{world.org.slug}").json()["badges"]
    assert public["certifications"] == [{"code": c, "state": "declarada"} for c in CODES]
    client.post(f"/api/v1/admin/documents/{evidence['id']}/approve", headers=admin)
    public = client.get(f"/api/v1/organizations/{world.org.slug}").json()["badges"]
    assert public["certifications"] == [
        {"code": CODES[0], "state": "verificada"},
        {"code": CODES[1], "state": "declarada"},
    ]
    assert (public["constancia_situacion_fiscal"], public["opinion_cumplimiento"], public["acta_o_ran"]) == (
        False,
        False,
        False,
    )
    listed = client.get("/api/v1/organizations").json()["items"]
    assert next(o for o in listed if o["slug"] == world.org.slug)["badges"] == public


def test_the_admin_queue_is_for_administrators(
    client: TestClient, world: World, owner: dict[str, str], admin: dict[str, str]
) -> None:
    send(client, world, owner)
    assert [d["kind"] for d in client.get("/api/v1/admin/documents", headers=admin).json()] == [
        "constancia_situacion_fiscal"
    ]
    assert client.get("/api/v1/admin/documents", headers=owner).status_code == 403
    assert client.post("/api/v1/admin/documents/999999/approve", headers=owner).status_code == 403
    assert client.post("/api/v1/admin/documents/999999/approve", headers=admin).status_code == 404


def test_the_stored_file_is_in_the_settings_storage(
    client: TestClient, settings: Any, world: World, owner: dict[str, str]
) -> None:
    document = send(client, world, owner).json()
    with Session(client.app.state.engine) as s:  # type: ignore[attr-defined]
        key = fresh(s, SupplierDocument, document["id"]).file_key
    assert key.startswith(f"documents/{world.org.id}/") and key.endswith(".pdf")
    stored = storage_for(settings).get(key)
    assert stored is not None and stored.data == pdf()
