"""The platform's monthly CFDI to each producer for its fees: once a month is over (Mexico City), each
producer whose fees in it, net of those given back by refunds, are above zero gets one invoice from the
platform (its own fiscal data and CSD; a test CSD outside production), for exactly those fees, IVA included,
paid by compensation; stamped by the worker through the loopback PAC. Written once however often and on
however many workers or commands it runs. The producer sees it among its invoices, the administrators in
theirs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from pydantic import SecretStr
from satcfdi.cfdi import CFDI
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from market.cli import app as cli
from market.config import Settings
from market.db import transaction
from market.disputes import service as disputes
from market.errors import MarketError, ValidationFailed
from market.invoicing import commission, platform
from market.invoicing.csd import make_test_csd
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from market.invoicing.seal import seal_verifies
from market.ledger.models import LedgerEntry
from market.ledger.service import FEES
from market.mexico import MEXICO_CITY
from market.money import apply_bps
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.models import Fulfillment, Order
from market.outbox import OutboxEvent
from tests.fixtures.pac import PacServer
from tests.helpers import at_once, emails_to, signed_in
from tests.invoicing.samples.make import COMISION_SAMPLE, PAC_CERTIFICATE, RFC
from tests.invoicing.shop import QUANTITIES, buy, invoices, run_worker
from tests.invoicing.test_pac import tfd_verifies, validates

MONTH = "2026-10"
IN_MONTH = datetime(2026, 10, 31, 23, 30, tzinfo=MEXICO_CITY)  # its last evening: November already in UTC
REFUND = 10000  # given back to the school on the rebozos


@pytest.fixture
def october(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any], make_user: Any
) -> Order:
    """The school bought coffee and rebozos by transfer in October; $100.00 of the rebozos went back."""
    admin = make_user("admin@example.mx", is_admin=True)
    order = buy(session, settings, shop, shop["school"], payment_method="spei_transfer")
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 1031")
    with transaction(engine) as tx:
        part = tx.exec(
            select(Fulfillment).where(
                Fulfillment.order_id == order.id, Fulfillment.organization_id == shop["rebozos"]["org"].id
            )
        ).one()
        move(tx, shop["rebozos"]["owner"], part.id or 0, "accepted")
    with transaction(engine) as tx:
        dispute = disputes.open(tx, shop["school"], part.id or 0, "Un rebozo llegó manchado.")
    with transaction(engine) as tx:
        disputes.resolve(tx, admin, dispute.id or 0, "refund", REFUND, "Se bonifica el rebozo manchado.")
    with transaction(engine) as tx:
        tx.execute(update(LedgerEntry).values(created_at=IN_MONTH.astimezone(UTC)))
    with transaction(engine) as tx:  # the ingresos are not what this test is about
        tx.execute(update(Invoice).values(status=InvoiceStatus.RECHAZADA))
        tx.execute(
            update(OutboxEvent).where(col(OutboxEvent.processed_at).is_(None)).values(processed_at=IN_MONTH)
        )
    return order


def expected_fees(shop: dict[str, Any]) -> dict[int, int]:
    """The fee (8 % of the goods, IVA included) on each producer's part; the rebozos' less its share of the
    refund (the refund comes off the producer's share and the fee in proportion, as the ledger splits it)."""
    coffee = apply_bps(5 * 32000, 800)
    rebozos = apply_bps(QUANTITIES["rebozos"] * 45900, 800)
    gross = QUANTITIES["rebozos"] * 45900 + 8999
    given_back = REFUND - (gross - rebozos) * REFUND // gross
    return {shop["cafe"]["org"].id: coffee, shop["rebozos"]["org"].id: rebozos - given_back}


def commissions(session: Session) -> list[Invoice]:
    return [i for i in invoices(session) if i.kind == InvoiceKind.COMISION]


def issue(engine: Engine, settings: Settings, period: str = MONTH) -> list[Invoice]:
    with transaction(engine) as tx:
        return commission.issue_commissions(tx, settings, period)


def test_each_producer_gets_one_stamped_invoice_from_the_platform_for_its_net_fees(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    pac_server: PacServer,
    shop: dict[str, Any],
    october: Order,
) -> None:
    written = issue(engine, pac_settings)
    fees = expected_fees(shop)
    assert {(i.organization_id, i.total_cents, i.period, i.status) for i in written} == {
        (org, cents, MONTH, "por_timbrar") for org, cents in fees.items()
    }
    run_worker(engine, pac_settings)

    stamped = commissions(session)
    assert sorted((i.serie, i.folio) for i in stamped) == [("C", 1), ("C", 2)]  # one serie for the platform
    for invoice in stamped:
        assert invoice.status == InvoiceStatus.TIMBRADA, invoice.last_error
        xml = invoice.stamped_xml or b""
        assert validates(xml) and seal_verifies(xml) and tfd_verifies(xml, pac_server.certificate)
        cfdi = CFDI.from_string(xml)
        org = session.get_one(type(shop["cafe"]["org"]), invoice.organization_id)
        assert (cfdi["Emisor"]["Rfc"], cfdi["Emisor"]["Nombre"]) == (platform.TEST_RFC, "TIANGUIS SOLIDARIO")
        assert (cfdi["Receptor"]["Rfc"], cfdi["Receptor"]["Nombre"]) == (org.rfc, org.legal_name)
        assert (cfdi["Receptor"]["DomicilioFiscalReceptor"], cfdi["Receptor"]["UsoCFDI"]) == ("29350", "G03")
        assert cfdi["Receptor"]["RegimenFiscalReceptor"] == "601"
        assert (cfdi["TipoDeComprobante"], cfdi["MetodoPago"], cfdi["FormaPago"]) == ("I", "PUE", "17")
        assert cfdi["Total"] == Decimal(fees[invoice.organization_id]) / 100
        [line] = cfdi["Conceptos"]
        assert (line["ClaveProdServ"], line["ClaveUnidad"], line["Cantidad"]) == ("80141706", "E48", 1)
        assert MONTH in line["Descripcion"]
        [iva] = line["Impuestos"]["Traslados"].values()
        assert iva["TasaOCuota"] == Decimal("0.16") and line["Importe"] + iva["Importe"] == cfdi["Total"]
    # The platform's invoices are not the producers': nobody is told of them by e-mail.
    assert not [e for e in emails_to(session, "cafe@example.mx") if e["kind"] == "invoice_refused"]


def test_written_once_however_often_and_on_two_workers_at_once(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any], october: Order
) -> None:
    def work() -> str:
        return str(len(issue(engine, settings)))

    assert sorted(at_once(work)) in (["0", "2"], ["1", "1"])  # however the two interleave, two in all
    assert issue(engine, settings) == []
    written = commissions(session)
    assert len(written) == 2 and {i.organization_id for i in written} == set(expected_fees(shop))
    events = session.exec(select(OutboxEvent).where(OutboxEvent.topic == "invoice.issue")).all()
    assert sorted(e.payload["invoice_id"] for e in events if e.processed_at is None) == sorted(
        i.id or 0 for i in written
    )


def test_a_month_not_over_is_refused_and_a_month_without_net_fees_gets_nothing(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any], october: Order
) -> None:
    with pytest.raises(ValidationFailed):
        issue(engine, settings, datetime.now(MEXICO_CITY).strftime("%Y-%m"))
    assert issue(engine, settings, "2026-09") == []  # nothing was sold then
    with transaction(engine) as tx:  # all the coffee's fee given back in October too
        tx.add(
            LedgerEntry(
                transaction_id="x",
                kind="refund",
                account=FEES,
                organization_id=shop["cafe"]["org"].id,
                amount_cents=apply_bps(5 * 32000, 800),
                created_at=IN_MONTH.astimezone(UTC),
            )
        )
    assert [i.organization_id for i in issue(engine, settings)] == [shop["rebozos"]["org"].id]


def test_in_production_without_the_platforms_csd_it_is_refused_for_the_administrators(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    october: Order,
) -> None:
    production = pac_settings.model_copy(update={"environment": "production"})
    issue(engine, production)
    run_worker(engine, production)
    refused = commissions(session)
    assert [i.status for i in refused] == ["rechazada"] * 2
    assert all("PLATFORM_CSD_CERTIFICATE" in (i.last_error or "") for i in refused)
    assert not [e for e in emails_to(session, "cafe@example.mx") if e["kind"] == "invoice_refused"]
    page = BeautifulSoup(signed_in(app, "admin@example.mx").get("/admin/facturas").text, "html.parser")
    rows = {r["id"]: r for r in page.select("#commission-invoices tbody tr")}
    assert set(rows) == {f"comision-{i.id}" for i in refused}
    assert all("PLATFORM_RFC" in row.text for row in rows.values())
    own = signed_in(app, "cafe@example.mx").get(f"/panel/o/{shop['cafe']['org'].slug}/facturas")
    assert "PLATFORM_RFC" not in own.text  # the reason is the administrators'


def test_the_platforms_own_csd_is_checked_and_the_test_csd_is_made_once(
    settings: Settings, tmp_path: Path
) -> None:
    first = platform.test_csd(settings)
    assert platform.test_csd(settings) == first  # kept: a restart seals with the same certificate
    data_dir = settings.media_dir.parent
    assert (data_dir / platform.TEST_CSD_DIR / platform.TEST_RFC / "certificate.cer").read_bytes() == (
        first.certificate
    )

    files = make_test_csd("TSO240101AB1", "TIANGUIS SOLIDARIO")
    (tmp_path / "p.cer").write_bytes(files.certificate)
    (tmp_path / "p.key").write_bytes(files.key)
    configured = settings.model_copy(
        update={
            "platform_rfc": "TSO240101AB1",
            "platform_csd_certificate": tmp_path / "p.cer",
            "platform_csd_key": tmp_path / "p.key",
            "platform_csd_password": SecretStr(files.password),
        }
    )
    assert platform.signer(configured).rfc == "TSO240101AB1"
    for wrong, reason in (
        ({"platform_rfc": RFC}, "no del RFC de la organización"),
        ({"platform_csd_password": SecretStr("otra")}, "contraseña"),
        ({"platform_csd_key": tmp_path / "missing.key"}, "missing.key"),
    ):
        with pytest.raises(MarketError) as refused:
            platform.signer(configured.model_copy(update=wrong))
        assert reason in str(refused.value)


def test_the_producer_and_the_administrators_see_the_commission_invoice_and_nobody_else(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    october: Order,
) -> None:
    issue(engine, pac_settings)
    run_worker(engine, pac_settings)
    mine = next(i for i in commissions(session) if i.organization_id == shop["cafe"]["org"].id)
    page = BeautifulSoup(
        signed_in(app, "cafe@example.mx").get(f"/panel/o/{shop['cafe']['org'].slug}/facturas").text,
        "html.parser",
    )
    [row] = page.select("#commission-invoices tbody tr")
    assert row["id"] == f"factura-{mine.id}" and MONTH in row.text and (mine.uuid or "-") in row.text
    assert {a["href"] for a in row.find_all("a")} == {f"/facturas/{mine.id}/xml", f"/facturas/{mine.id}/pdf"}
    assert not page.select(f"#invoices #factura-{mine.id}")  # not among the invoices it issued
    for email in ("cafe@example.mx", "admin@example.mx"):
        response = signed_in(app, email).get(f"/facturas/{mine.id}/xml")
        assert response.status_code == 200 and response.content == mine.stamped_xml
    for email in ("rebozos@example.mx", "compras@escuela.mx", "luis@example.mx"):
        assert signed_in(app, email).get(f"/facturas/{mine.id}/xml").status_code == 404, email
    admin = BeautifulSoup(signed_in(app, "admin@example.mx").get("/admin/facturas").text, "html.parser")
    assert {r["id"] for r in admin.select("#commission-invoices tbody tr")} == {
        f"comision-{i.id}" for i in commissions(session)
    }


def test_the_worker_writes_last_months_and_the_command_any_ended_month(
    engine: Engine,
    session: Session,
    settings: Settings,
    database_url: str,
    tmp_path: Path,
    shop: dict[str, Any],
    october: Order,
) -> None:
    assert commission.last_month(datetime(2026, 11, 1, 7, tzinfo=UTC)) == "2026-10"  # 1 a.m. in Mexico City
    assert commission.last_month(datetime(2026, 11, 1, 5, tzinfo=UTC)) == "2026-09"  # still October there
    assert commission.last_month(datetime(2027, 1, 15, tzinfo=UTC)) == "2026-12"
    assert commission.issue_last_month(engine, settings) == 0  # last month (November 2026) had no sales

    runner = CliRunner()
    env = {"DATABASE_URL": database_url, "MEDIA_DIR": str(tmp_path / "media")}
    result = runner.invoke(cli, ["invoices", "commissions", "--mes", MONTH], env=env)
    assert result.exit_code == 0, result.output
    assert "2 commission invoices written" in result.output
    again = runner.invoke(cli, ["invoices", "commissions", "--mes", MONTH], env=env)
    assert again.exit_code == 0 and "0 commission invoices written" in again.output
    assert len(commissions(session)) == 2
    bad = runner.invoke(cli, ["invoices", "commissions", "--mes", "octubre"], env=env)
    assert bad.exit_code == 1 and "Nothing was written" in bad.output


def test_the_committed_sample_commission_is_a_stamped_invoice_from_the_platform() -> None:
    xml = COMISION_SAMPLE.read_bytes()
    assert validates(xml) and seal_verifies(xml)
    assert tfd_verifies(xml, PAC_CERTIFICATE.read_bytes())
    cfdi = CFDI.from_string(xml)
    assert (cfdi["Emisor"]["Rfc"], cfdi["Receptor"]["Rfc"]) == (platform.TEST_RFC, RFC)
    assert (cfdi["FormaPago"], cfdi["Total"]) == ("17", Decimal("1234.56"))
