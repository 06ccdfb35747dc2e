"""The dispersion round trip in a real Chromium: an administrator generates the SPEI file of what the platform
owes two producers, downloads it, uploads the bank's result for it (one transfer sent, one rejected), and
sees the report and each payout marked; the same result again changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.config import Settings
from market.ledger import service as ledger
from market.payments.models import Payout
from tests.payments.dispersion_shop import completed_sale, make_shop

pytestmark = pytest.mark.browser


def test_an_administrator_downloads_the_dispersion_and_uploads_the_banks_result(
    sign_in: Any,
    live_server: str,
    engine: Engine,
    session: Session,
    settings: Settings,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
    tmp_path: Path,
) -> None:
    shop = make_shop(make_user, make_org, make_listing)
    completed_sale(engine, settings, shop, shop.coffee, 3)  # $276.00 owed to the coffee cooperative
    completed_sale(engine, settings, shop, shop.honey, 2)  # $460.00 owed to the union of ejidos

    admin = sign_in("admin@example.mx")
    admin.goto(f"{live_server}/admin/pagos-a-productores")
    admin.get_by_role("link", name="Dispersiones SPEI: pagar a todas en un solo archivo").click()
    plan = admin.locator("table.dispersion-plan")
    expect(plan).to_contain_text("Cooperativa Flor de Café")
    expect(plan).to_contain_text("Total: 2 transferencias")
    expect(plan).to_contain_text("$736.00")
    admin.get_by_role("button", name="Generar archivo de dispersión").click()
    expect(admin.locator("#dispersion-status")).to_have_text("Esperando el resultado del banco")

    with admin.expect_download() as info:
        admin.get_by_role("link", name="Descargar archivo para el banco").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name.startswith("dispersion-") and saved.suffix == ".txt"
    records = saved.read_bytes().decode("ascii").split("\r\n")
    assert records[-1] == "" and [len(r) for r in records[:-1]] == [165, 165]

    # The bank's portal answers with its result: the first transfer settled, the second refused.
    rows = ["Referencia,Cuenta destino,Importe,Estatus,Clave de rastreo,Motivo"]
    for n, record in enumerate(records[:-1]):
        reference, clabe, amount = record[120:127], record[:18], record[39:55].lstrip("0")
        outcome = (
            "LIQUIDADA,BNET0100251206000000" + str(n) + "," if n == 0 else "RECHAZADA,,CUENTA INEXISTENTE"
        )
        rows.append(f"{reference},{clabe},{amount},{outcome}")
    result = tmp_path / "resultado.csv"
    result.write_text("\n".join(rows) + "\n", encoding="utf-8")

    admin.get_by_label("Archivo de resultados del banco (CSV o Excel), hasta 1 MB").set_input_files(result)
    admin.get_by_role("button", name="Subir resultado").click()
    report = admin.locator("#result-report")
    expect(report).to_contain_text("1 enviados · 1 rechazados · 0 ya registrados")
    expect(report).to_contain_text("Unión de Ejidos Señor de la Peña · $460.00: CUENTA INEXISTENTE")
    expect(admin.locator("#dispersion-status")).to_have_text("Conciliada")
    lines = admin.locator("table.dispersion-lines tbody tr")
    expect(lines.nth(0)).to_contain_text("Enviado")
    expect(lines.nth(0)).to_contain_text("BNET01002512060000000")
    expect(lines.nth(1)).to_contain_text("Rechazado por el banco")

    admin.get_by_label("Archivo de resultados del banco (CSV o Excel), hasta 1 MB").set_input_files(result)
    admin.get_by_role("button", name="Subir resultado").click()
    expect(report).to_contain_text("Este resultado ya se había registrado: no cambió nada.")
    expect(report).to_contain_text("0 enviados · 0 rechazados · 2 ya registrados")

    session.expire_all()
    assert [p.status for p in session.exec(select(Payout).order_by(Payout.id))] == ["sent", "failed"]  # type: ignore[arg-type]
    assert ledger.balance(session, shop.org_2.id or 0) == 46000  # the rejected money is owed again
    assert ledger.imbalance(session) == 0
