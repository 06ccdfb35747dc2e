"""The dispersion files through the JSON API: the same service as the pages, for administrators only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.config import Settings
from market.ledger import service as ledger
from tests.helpers import CLABE, api_token, database_state
from tests.payments.dispersion_shop import CLABE_2, Shop, completed_sale, make_shop, set_org

API = "/api/v1/admin/dispersions"


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> Shop:
    return make_shop(make_user, make_org, make_listing)


def result(*rows: str) -> dict[str, Any]:
    body = "referencia,clabe,importe,estatus,clave de rastreo,motivo\n" + "\n".join(rows) + "\n"
    return {"file": ("resultado.csv", body.encode(), "text/csv")}


def test_an_administrator_previews_generates_downloads_and_settles_a_dispersion(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    completed_sale(engine, settings, shop, shop.coffee, 3)
    completed_sale(engine, settings, shop, shop.honey, 2)
    set_org(engine, shop.org_2.id, clabe=None)
    admin = api_token(client, "admin@example.mx")

    preview = client.get(f"{API}/preview", headers=admin)
    assert preview.status_code == 200
    assert preview.json() == {
        "total_cents": 27600,
        "lines": [
            {
                "organization_id": shop.org.id,
                "organization": shop.org.name,
                "clabe": CLABE,
                "amount_cents": 27600,
            }
        ],
        "skipped": [
            {
                "organization_id": shop.org_2.id,
                "organization": shop.org_2.name,
                "balance_cents": 46000,
                "reason": "Sin CLABE registrada",
            }
        ],
    }

    created = client.post(API, headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["status"], body["line_count"], body["total_cents"], body["layout"]) == (
        "awaiting_result",
        1,
        27600,
        "bbva_netcash_spei",
    )
    [payout] = body["payouts"]
    assert (payout["status"], payout["amount_cents"], payout["clabe"]) == ("pending", 27600, CLABE)
    assert client.post(API, headers=admin).status_code == 409  # nothing left to pay

    file = client.get(f"{API}/{body['id']}/file", headers=admin)
    assert file.status_code == 200 and file.headers["content-type"] == "text/plain; charset=us-ascii"
    assert len(file.content) == 167 and file.content.endswith(b"\r\n")  # one 165-character record
    assert file.content[120:128] == payout["reference"].encode() + b"H"  # fields 9 and 10
    assert [d["id"] for d in client.get(API, headers=admin).json()] == [body["id"]]

    row = f"{payout['reference']},{CLABE},276.00,LIQUIDADA,BNET01002512060000001,"
    applied = client.post(f"{API}/{body['id']}/result", headers=admin, files=result(row))
    assert applied.status_code == 200, applied.text
    report = applied.json()
    assert [r["tracking_key"] for r in report["sent"]] == ["BNET01002512060000001"]
    assert (report["failed"], report["already_recorded"], report["still_pending"]) == ([], [], 0)
    assert report["changed_nothing"] is False
    replay = client.post(f"{API}/{body['id']}/result", headers=admin, files=result(row)).json()
    assert (len(replay["already_recorded"]), replay["changed_nothing"]) == (1, True)
    assert replay["tracking_key_added"] == []
    assert client.get(f"{API}/{body['id']}", headers=admin).json()["status"] == "settled"

    owner = api_token(client, "cafe@example.mx")
    [seen] = client.get(f"/api/v1/organizations/{shop.org.slug}/payouts", headers=owner).json()
    assert (seen["status"], seen["tracking_key"], seen["amount_cents"]) == (
        "sent",
        "BNET01002512060000001",
        27600,
    )
    assert ledger.imbalance(session) == 0


def test_a_bad_result_is_refused_with_its_rows_and_writes_nothing(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    completed_sale(engine, settings, shop, shop.coffee, 3)
    admin = api_token(client, "admin@example.mx")
    body = client.post(API, headers=admin).json()
    reference = body["payouts"][0]["reference"]
    before = database_state(engine)

    refused = client.post(
        f"{API}/{body['id']}/result",
        headers=admin,
        files=result(
            f"{reference},{CLABE_2},276.00,LIQUIDADA,,", "1234567,002010077777777771,1.00,LIQUIDADA,,"
        ),
    )

    assert refused.status_code == 422
    assert refused.json()["error"] == "dispersion_result_rejected"
    assert refused.json()["rows"] == [
        {"row": 2, "message": f"La CLABE de la referencia {reference} no coincide con la de la dispersión."},
        {"row": 3, "message": "La referencia 1234567 no está en esta dispersión."},
    ]
    assert database_state(engine) == before


def test_a_sent_row_needs_its_tracking_key_and_cannot_change_it_later(
    client: TestClient, engine: Engine, session: Session, settings: Settings, shop: Shop
) -> None:
    completed_sale(engine, settings, shop, shop.coffee, 3)
    admin = api_token(client, "admin@example.mx")
    body = client.post(API, headers=admin).json()
    reference = body["payouts"][0]["reference"]
    path = f"{API}/{body['id']}/result"
    before = database_state(engine)

    keyless = client.post(path, headers=admin, files=result(f"{reference},{CLABE},276.00,Liquidada,,"))

    assert keyless.status_code == 422
    [row] = keyless.json()["rows"]
    assert row["row"] == 2
    assert row["message"].startswith(
        f"La referencia {reference} dice liquidada pero no trae clave de rastreo"
    )
    assert database_state(engine) == before

    sent = f"{reference},{CLABE},276.00,Liquidada,BNET1,"
    assert client.post(path, headers=admin, files=result(sent)).status_code == 200
    before = database_state(engine)
    other = client.post(path, headers=admin, files=result(f"{reference},{CLABE},276.00,Liquidada,BNET2,"))
    assert other.status_code == 422
    assert other.json()["rows"] == [
        {
            "row": 2,
            "message": f"La referencia {reference} ya se registró con la clave de rastreo BNET1; "
            "el archivo dice otra.",
        }
    ]
    assert database_state(engine) == before


def test_only_administrators_use_the_dispersion_api(
    client: TestClient, engine: Engine, settings: Settings, shop: Shop
) -> None:
    completed_sale(engine, settings, shop, shop.coffee, 3)
    admin = api_token(client, "admin@example.mx")
    dispersion_id = client.post(API, headers=admin).json()["id"]
    producer = api_token(client, "cafe@example.mx")
    before = database_state(engine)

    for method, path in [
        ("get", API),
        ("get", f"{API}/preview"),
        ("post", API),
        ("get", f"{API}/{dispersion_id}"),
        ("get", f"{API}/{dispersion_id}/file"),
        ("get", f"{API}/999"),
    ]:
        assert client.request(method, path, headers=producer).status_code == 403, path
        assert client.request(method, path).status_code == 401, path
    assert (
        client.post(f"{API}/{dispersion_id}/result", headers=producer, files=result("1,2,3,4,,")).status_code
        == 403
    )
    assert client.get(f"{API}/999", headers=admin).status_code == 404
    other = api_token(client, "miel@example.mx")  # another producer's payouts are not its business
    assert client.get(f"/api/v1/organizations/{shop.org.slug}/payouts", headers=other).status_code in (
        403,
        404,
    )
    assert database_state(engine) == before
