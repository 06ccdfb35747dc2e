"""Cancelling a CFDI with its motive through the PAC (the loopback one, which verifies the XMLDSig of the
request): a whole refund of a part invoiced by itself cancels its ingreso (motive 03), at once when it was
never sealed, after its stamp when it was sealed, at the PAC with the acuse kept when it was stamped. An
unreachable PAC is asked again; a refusal leaves the invoice stamped with the reason, for its owners (told
by e-mail) and the administrators."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree
from satcfdi.cfdi import CFDI
from satcfdi.create.cancela.cancelacion import Cancelacion, Folio
from satcfdi.models import Signer
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market.config import Settings
from market.db import transaction, utcnow
from market.invoicing import cancellation, corrections, csd_store, issuing, pac, queries
from market.invoicing.models import Invoice, InvoiceStatus
from market.orders.models import Fulfillment
from market.organizations.models import Membership
from market.outbox import OutboxEvent, process_batch
from tests.fixtures.pac import PacServer, verified_signer
from tests.helpers import api_token, at_once, csrf_of, database_state, emails_to, signed_in
from tests.invoicing.samples.make import CANCELLATION_ACUSE, PAC_CERTIFICATE, SAMPLE
from tests.invoicing.shop import buy, invoices
from tests.pages import elements, maybe, one, text_of

CANCEL_PATH = "/cfdi33/cancel/xml"
SAT = "{http://cancelacfd.sat.gob.mx}"


def run_worker(engine: Engine, settings: Settings) -> None:
    """The worker's outbox (issuing and cancelling, with the real handlers) until nothing due is left."""
    handlers = {
        issuing.TOPIC: issuing.handler(settings),
        cancellation.TOPIC: cancellation.handler(settings),
    }
    while process_batch(engine, handlers):
        pass


def make_due(engine: Engine) -> None:
    """What waits its back-off is due now."""
    with transaction(engine) as tx:
        tx.execute(update(OutboxEvent).values(available_at=utcnow()))


def refund_whole(engine: Engine, invoice: Invoice) -> None:
    """All of the invoice's part goes back to the buyer (what releasing a paid part does to invoices)."""
    with transaction(engine) as tx:
        part = tx.get_one(Fulfillment, invoice.fulfillment_id)
        corrections.part_refunded(tx, part, part.subtotal_cents + part.delivery_cents)


def acuse_of(invoice: Invoice) -> etree._Element:
    assert invoice.cancel_ack
    return etree.fromstring(invoice.cancel_ack)


@pytest.fixture
def stamped(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
) -> dict[str, Any]:
    """The school's order on invoice terms, each producer's ingreso stamped."""
    order = buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    run_worker(engine, pac_settings)
    by_org = {i.organization_id: i for i in invoices(session)}
    assert all(i.status == InvoiceStatus.TIMBRADA for i in by_org.values())
    return shop | {
        "order": order,
        "cafe_invoice": by_org[shop["cafe"]["org"].id],
        "rebozos_invoice": by_org[shop["rebozos"]["org"].id],
    }


def test_a_whole_refund_of_a_stamped_ingreso_cancels_it_at_the_pac_with_its_acuse(
    engine: Engine, session: Session, pac_settings: Settings, stamped: dict[str, Any], pac_server: PacServer
) -> None:
    invoice = stamped["cafe_invoice"]
    refund_whole(engine, invoice)
    asked = session.get_one(Invoice, invoice.id)
    session.refresh(asked)
    assert (asked.status, asked.cancel_motive) == (InvoiceStatus.TIMBRADA, "03")  # en proceso

    run_worker(engine, pac_settings)

    cancelled = session.get_one(Invoice, invoice.id)
    session.refresh(cancelled)
    assert cancelled.status == InvoiceStatus.CANCELADA, cancelled.last_error
    assert cancelled.cancel_motive == "03" and cancelled.cancelled_at and cancelled.last_error is None
    assert cancelled.uuid in pac_server.cancelled
    acuse = acuse_of(cancelled)
    assert acuse.tag == "Acuse" and acuse.get("RfcEmisor") == stamped["cafe"]["org"].rfc
    assert acuse.findtext(f"{SAT}Folios/{SAT}UUID") == cancelled.uuid
    assert acuse.findtext(f"{SAT}Folios/{SAT}EstatusUUID") == "201"
    signer = verified_signer(acuse)  # signed by the PAC's certificate
    assert signer.certificate_base64() == base64.b64encode(pac_server.certificate).decode()
    other = session.get_one(Invoice, stamped["rebozos_invoice"].id)
    session.refresh(other)
    assert other.status == InvoiceStatus.TIMBRADA and other.cancel_motive is None


def test_an_ingreso_never_sealed_is_cancelled_at_once_and_never_stamped(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    pac_server: PacServer,
) -> None:
    buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    first, _ = invoices(session)
    refund_whole(engine, first)
    [cancelled, _] = invoices(session)
    assert (cancelled.status, cancelled.cancel_motive) == (InvoiceStatus.CANCELADA, "03")
    assert cancelled.signed_xml is None and cancelled.cancel_ack is None and cancelled.cancelled_at

    run_worker(engine, pac_settings)

    [cancelled, other] = invoices(session)
    assert cancelled.status == InvoiceStatus.CANCELADA
    assert (cancelled.signed_xml, cancelled.uuid, cancelled.folio) == (None, None, None)
    assert other.status == InvoiceStatus.TIMBRADA
    assert len(pac_server.issuers) == 1  # only the other one reached the PAC
    assert not pac_server.cancelled


def test_an_ingreso_sealed_but_not_stamped_is_cancelled_after_its_stamp(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    pac_server: PacServer,
) -> None:
    buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    pac_server.mode = "down"
    run_worker(engine, pac_settings)
    first, _ = invoices(session)
    assert first.signed_xml and first.status == InvoiceStatus.POR_TIMBRAR
    refund_whole(engine, first)
    [waiting, _] = invoices(session)
    assert (waiting.status, waiting.cancel_motive) == (InvoiceStatus.POR_TIMBRAR, "03")

    pac_server.mode = "normal"
    make_due(engine)
    run_worker(engine, pac_settings)

    [cancelled, other] = invoices(session)
    assert cancelled.status == InvoiceStatus.CANCELADA, cancelled.last_error
    assert cancelled.uuid and cancelled.uuid in pac_server.cancelled  # stamped first, then cancelled
    assert acuse_of(cancelled).findtext(f"{SAT}Folios/{SAT}UUID") == cancelled.uuid
    assert other.status == InvoiceStatus.TIMBRADA


@pytest.mark.parametrize("round_", range(3))
def test_a_refund_while_a_worker_issues_the_invoice_never_leaves_a_stamp_uncancelled(
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    shop: dict[str, Any],
    pac_server: PacServer,
    round_: int,
) -> None:
    """The refund and the worker at the same moment, in whichever order they meet: the invoice ends
    cancelled, and if the PAC stamped it, the PAC cancelled that stamp too."""
    buy(session, pac_settings, shop, shop["school"], payment_method="invoice")
    first, _ = invoices(session)

    def work() -> str:
        run_worker(engine, pac_settings)
        return "worked"

    def refund() -> str:
        refund_whole(engine, first)
        return "refunded"

    actions = iter([work, refund] if round_ % 2 else [refund, work])
    assert at_once(lambda: next(actions)()) == ["refunded", "worked"]
    make_due(engine)
    run_worker(engine, pac_settings)

    [cancelled, other] = invoices(session)
    assert cancelled.status == InvoiceStatus.CANCELADA, cancelled.last_error
    stamped_uuids = set(pac_server.issuers)
    assert other.uuid in stamped_uuids
    if cancelled.uuid is not None or len(stamped_uuids) == 2:
        assert cancelled.uuid in pac_server.cancelled and cancelled.cancel_ack
    else:
        assert not pac_server.cancelled


def test_while_the_pac_is_down_the_cancellation_waits_and_is_asked_again(
    engine: Engine, session: Session, pac_settings: Settings, stamped: dict[str, Any], pac_server: PacServer
) -> None:
    invoice = stamped["cafe_invoice"]
    refund_whole(engine, invoice)
    pac_server.mode = "down"
    run_worker(engine, pac_settings)
    [waiting] = [i for i in invoices(session) if i.id == invoice.id]
    assert (waiting.status, waiting.cancel_motive, waiting.attempts) == (InvoiceStatus.TIMBRADA, "03", 1)
    assert waiting.last_error == str(pac.PacUnavailable())

    pac_server.mode = "normal"
    run_worker(engine, pac_settings)
    assert [i.status for i in invoices(session) if i.id == invoice.id] == [InvoiceStatus.TIMBRADA]  # back-off
    make_due(engine)
    run_worker(engine, pac_settings)
    [cancelled] = [i for i in invoices(session) if i.id == invoice.id]
    assert cancelled.status == InvoiceStatus.CANCELADA and cancelled.cancel_ack


def test_two_workers_at_once_cancel_once(
    engine: Engine, session: Session, pac_settings: Settings, stamped: dict[str, Any], pac_server: PacServer
) -> None:
    invoice = stamped["cafe_invoice"]
    refund_whole(engine, invoice)
    refund_whole(engine, invoice)  # asked twice: one request

    def work() -> str:
        run_worker(engine, pac_settings)
        return "done"

    assert at_once(work) == ["done", "done"]
    [cancelled] = [i for i in invoices(session) if i.id == invoice.id]
    assert cancelled.status == InvoiceStatus.CANCELADA
    assert pac_server.cancelled == {cancelled.uuid}
    # PostgreSQL: the event's row lock (SKIP LOCKED) gives it to one worker. SQLite has no row locks, so both
    # may ask; the PAC's 202 to the second makes that the same cancellation.
    assert pac_server.cancel_requests == 1 or engine.dialect.name == "sqlite"
    assert acuse_of(cancelled).findtext(f"{SAT}Folios/{SAT}EstatusUUID") in pac.CANCELLED
    with transaction(engine) as tx:  # the handler run again by hand does nothing
        cancellation.cancel(tx, pac_settings, invoice.id or 0, None)
    [again] = [i for i in invoices(session) if i.id == invoice.id]
    assert (again.cancel_ack, again.cancelled_at) == (cancelled.cancel_ack, cancelled.cancelled_at)


def test_the_pac_answers_202_to_a_second_cancellation_and_that_counts_as_cancelled(
    session: Session, pac_settings: Settings, stamped: dict[str, Any]
) -> None:
    invoice, org = stamped["cafe_invoice"], stamped["cafe"]["org"]
    signer = csd_store.signer_for(session, pac_settings, org)
    first = pac.cancel(pac_settings, signer, invoice.uuid, "02")
    second = pac.cancel(pac_settings, signer, invoice.uuid, "02")
    assert (first.status, second.status) == ("201", "202")
    assert etree.fromstring(second.acuse).findtext(f"{SAT}Folios/{SAT}EstatusUUID") == "202"


def post_cancellation(pac_server: PacServer, body: bytes) -> requests.Response:
    return requests.post(
        f"{pac_server.url}{CANCEL_PATH}",
        headers={"Authorization": f"Bearer {pac_server.token}"},
        files=[("xml", ("xml", body, "text/xml"))],
        timeout=10,
    )


def test_the_loopback_pac_verifies_the_requests_signature(
    session: Session, pac_settings: Settings, stamped: dict[str, Any], pac_server: PacServer
) -> None:
    """A request whose signed content changed, or whose signature value changed, is refused as SW refuses
    it; the same request untouched goes through. Proves the loopback really checks the XMLDSig."""
    invoice, rebozos = stamped["cafe_invoice"], stamped["rebozos_invoice"]
    signer: Signer = csd_store.signer_for(session, pac_settings, stamped["cafe"]["org"])
    body = etree.tostring(
        Cancelacion(emisor=signer, folios=Folio(invoice.uuid, "02")).to_xml(), encoding="UTF-8"
    )

    other_uuid = body.replace(invoice.uuid.encode(), rebozos.uuid.encode())  # the digest no longer matches
    root = etree.fromstring(body)
    value = root.find(
        "{http://www.w3.org/2000/09/xmldsig#}Signature/{http://www.w3.org/2000/09/xmldsig#}SignatureValue"
    )
    raw = bytearray(base64.b64decode(value.text or ""))
    raw[10] ^= 0xFF
    value.text = base64.b64encode(bytes(raw)).decode()
    bad_value = etree.tostring(root, encoding="UTF-8")
    for tampered in (other_uuid, bad_value):
        refused = post_cancellation(pac_server, tampered)
        assert refused.status_code == 400
        assert refused.json()["status"] == "error" and refused.json()["message"].startswith("302")
    assert not pac_server.cancelled

    accepted = post_cancellation(pac_server, body)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["data"]["uuid"] == {invoice.uuid: "201"}


def test_a_cancellation_the_pac_refuses_leaves_the_invoice_stamped_with_the_reason(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    stamped: dict[str, Any],
    pac_server: PacServer,
    make_user: Any,
) -> None:
    invoice = stamped["cafe_invoice"]
    pac_server.issuers.clear()  # the PAC no longer knows the UUID: SAT's 205
    refund_whole(engine, invoice)
    run_worker(engine, pac_settings)

    [refused] = [i for i in invoices(session) if i.id == invoice.id]
    assert (refused.status, refused.cancel_motive, refused.cancel_ack) == (InvoiceStatus.TIMBRADA, None, None)
    assert "205" in (refused.last_error or "")
    [told] = [e for e in emails_to(session, "cafe@example.mx") if e["kind"] == "invoice_cancel_refused"]
    assert refused.uuid in told["body"] and "205" in told["body"]
    make_user("admin@example.mx", is_admin=True)
    row = one(
        signed_in(app, "admin@example.mx").get("/admin/facturas"), f"#stuck-invoices #factura-{invoice.id}"
    )
    assert "205" in text_of(row)
    producer = signed_in(app, "cafe@example.mx").get(f"/panel/o/{stamped['cafe']['org'].slug}/facturas")
    mine = text_of(one(producer, f"#factura-{invoice.id}"))
    assert "205" in mine and "Timbrada" in mine


def test_the_acuse_is_downloaded_by_who_may_see_the_invoice_and_the_pages_say_cancelada(
    app: FastAPI,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    stamped: dict[str, Any],
    make_user: Any,
    make_org: Any,
) -> None:
    invoice = stamped["cafe_invoice"]
    refund_whole(engine, invoice)
    producer_page = f"/panel/o/{stamped['cafe']['org'].slug}/facturas"
    asked = signed_in(app, "cafe@example.mx").get(producer_page)
    assert text_of(one(asked, f"#factura-{invoice.id} .invoice-status")) == "Cancelación en proceso"
    run_worker(engine, pac_settings)
    [cancelled] = [i for i in invoices(session) if i.id == invoice.id]
    make_user("admin@example.mx", is_admin=True)
    make_org(make_user("otra@example.mx"), name="Miel de la Montaña")

    for email in ("compras@escuela.mx", "cafe@example.mx", "admin@example.mx"):
        response = signed_in(app, email).get(f"/facturas/{invoice.id}/acuse.xml")
        assert response.status_code == 200, email
        assert response.content == cancelled.cancel_ack
        assert f"{cancelled.uuid}-acuse-cancelacion.xml" in response.headers["content-disposition"]
    for email in ("otra@example.mx", "rebozos@example.mx", "luis@example.mx"):
        assert signed_in(app, email).get(f"/facturas/{invoice.id}/acuse.xml").status_code == 404, email
    without = stamped["rebozos_invoice"]  # not cancelled: no acuse
    assert signed_in(app, "rebozos@example.mx").get(f"/facturas/{without.id}/acuse.xml").status_code == 404

    order = signed_in(app, "compras@escuela.mx").get(f"/pedidos/{stamped['order'].id}")
    part = one(order, f"#factura-parte-{invoice.fulfillment_id}")
    assert text_of(one(part, ".invoice-status")) == "Cancelada"
    assert "No se llevó a cabo la operación" in text_of(one(part, ".cancel-motive"))
    assert one(part, f'a[href="/facturas/{invoice.id}/acuse.xml"]')
    row = one(signed_in(app, "cafe@example.mx").get(producer_page), f"#factura-{invoice.id}")
    assert text_of(one(row, ".invoice-status")) == "Cancelada"
    assert "03 · No se llevó a cabo la operación" in text_of(one(row, ".cancel-motive"))


# --- an owner cancels a stamped invoice by hand ------------------------------------------------------


@pytest.fixture
def people(session: Session, stamped: dict[str, Any], make_user: Any, make_org: Any) -> dict[str, Any]:
    """Besides the stamped order: a member (not owner) of the coffee cooperative, and another producer."""
    member = make_user("socia@example.mx")
    session.add(Membership(user_id=member.id, organization_id=stamped["cafe"]["org"].id, role="member"))
    session.commit()
    return stamped | {"miel": make_org(make_user("otra@example.mx"), name="Miel de la Montaña")}


def invoices_page(org: Any) -> str:
    return f"/panel/o/{org.slug}/facturas"


def post_form(client: TestClient, org: Any, invoice: Invoice, **fields: str) -> Any:
    return client.post(
        f"{invoices_page(org)}/{invoice.id}/cancelar",
        data={"csrf_token": csrf_of(client, invoices_page(org)), **fields},
    )


def test_an_owner_cancels_a_stamped_invoice_from_its_invoices_page(
    app: FastAPI, engine: Engine, session: Session, pac_settings: Settings, people: dict[str, Any]
) -> None:
    org, invoice = people["cafe"]["org"], people["cafe_invoice"]
    owner = signed_in(app, "cafe@example.mx")
    form = one(owner.get(invoices_page(org)), f"#factura-{invoice.id} details.cancel-invoice form")
    assert [o["value"] for o in form.select("select[name=motive] option")] == ["01", "02", "03"]
    assert one(form, "input[name=confirm][required]")

    response = post_form(owner, org, invoice, motive="02", confirm="1")

    assert response.status_code == 303, response.text
    page = owner.get(invoices_page(org))
    assert text_of(one(page, f"#factura-{invoice.id} .invoice-status")) == "Cancelación en proceso"
    run_worker(engine, pac_settings)
    [cancelled] = [i for i in invoices(session) if i.id == invoice.id]
    assert (cancelled.status, cancelled.cancel_motive) == (InvoiceStatus.CANCELADA, "02")
    row = one(owner.get(invoices_page(org)), f"#factura-{invoice.id}")
    assert text_of(one(row, ".invoice-status")) == "Cancelada"
    assert "Comprobante emitido con errores sin relación" in text_of(one(row, ".cancel-motive"))
    assert maybe(row, "details.cancel-invoice") is None  # nothing more to cancel


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"motive": "04", "confirm": "1"}, "motive", "Elige un motivo de cancelación de la lista."),
        ({"motive": "9", "confirm": "1"}, "motive", "Elige un motivo de cancelación de la lista."),
        ({"motive": "01", "confirm": "1"}, "substitute", "Con el motivo 01 indica el folio fiscal"),
        (
            {"motive": "01", "substitute": "5E2D6AFF-2DD7-43D1-83D3-14C1ACA396D9", "confirm": "1"},
            "substitute",
            "debe ser otra factura timbrada de esta organización",
        ),
        ({"motive": "02"}, "confirm", "Marca la casilla para confirmar la cancelación."),
    ],
)
def test_a_wrong_cancellation_form_is_refused_beside_the_field_and_writes_nothing(
    app: FastAPI, engine: Engine, people: dict[str, Any], fields: dict[str, str], field: str, message: str
) -> None:
    org, invoice = people["cafe"]["org"], people["cafe_invoice"]
    owner = signed_in(app, "cafe@example.mx")
    before = database_state(engine)

    response = post_form(owner, org, invoice, **fields)

    assert response.status_code == 422
    form = one(response, f"#factura-{invoice.id} details.cancel-invoice")
    assert form.has_attr("open")
    [error] = [e for e in elements(form, "p.error") if message in text_of(e)]
    beside = error.find_previous_sibling()  # the field it is about comes just before it
    assert beside is not None and (beside.get("name") == field or maybe(beside, f"[name={field}]"))
    assert database_state(engine) == before


def test_motive_01_needs_a_stamped_invoice_of_the_same_issuer_as_its_substitute(
    app: FastAPI, engine: Engine, session: Session, pac_settings: Settings, people: dict[str, Any]
) -> None:
    org, invoice = people["cafe"]["org"], people["cafe_invoice"]
    owner = signed_in(app, "cafe@example.mx")
    foreign = people["rebozos_invoice"].uuid  # stamped, but another producer's
    assert post_form(owner, org, invoice, motive="01", substitute=foreign, confirm="1").status_code == 422
    itself = invoice.uuid
    assert post_form(owner, org, invoice, motive="01", substitute=itself, confirm="1").status_code == 422
    buy(session, pac_settings, people, people["school"], payment_method="invoice")
    run_worker(engine, pac_settings)
    [replacement] = [i for i in invoices(session) if i.organization_id == org.id and i.id != invoice.id]

    response = post_form(
        owner, org, invoice, motive="01", substitute=(replacement.uuid or "").lower(), confirm="1"
    )

    assert response.status_code == 303, response.text
    run_worker(engine, pac_settings)
    [cancelled] = [i for i in invoices(session) if i.id == invoice.id]
    assert (cancelled.status, cancelled.cancel_motive) == (InvoiceStatus.CANCELADA, "01"), (
        cancelled.last_error
    )


def test_an_owner_cancels_through_the_api(
    app: FastAPI,
    client: TestClient,
    engine: Engine,
    session: Session,
    pac_settings: Settings,
    people: dict[str, Any],
) -> None:
    org, invoice = people["cafe"]["org"], people["cafe_invoice"]
    headers = api_token(client, "cafe@example.mx")
    url = f"/api/v1/organizations/{org.slug}/invoices/{invoice.id}/cancel"
    before = database_state(engine)
    bad = client.post(url, json={"motive": "04"}, headers=headers)
    assert bad.status_code == 422 and "motive" in bad.json()["fields"]
    no_substitute = client.post(url, json={"motive": "01"}, headers=headers)
    assert no_substitute.status_code == 422 and "substitute" in no_substitute.json()["fields"]
    assert database_state(engine) == before

    accepted = client.post(url, json={"motive": "03"}, headers=headers)

    assert accepted.status_code == 202, accepted.text
    assert accepted.json() | {"cancelled_at": None} == {
        "id": invoice.id,
        "kind": "ingreso",
        "status": "timbrada",
        "serie": "A",
        "folio": 1,
        "uuid": invoice.uuid,
        "cancel_motive": "03",
        "cancelled_at": None,
        "last_error": None,
    }
    assert client.post(url, json={"motive": "03"}, headers=headers).status_code == 409  # already asked
    run_worker(engine, pac_settings)
    [cancelled] = [i for i in invoices(session) if i.id == invoice.id]
    assert cancelled.status == InvoiceStatus.CANCELADA
    assert client.post(url, json={"motive": "03"}, headers=headers).status_code == 409  # not stamped now


def test_only_the_issuers_owners_may_cancel(
    app: FastAPI, client: TestClient, engine: Engine, people: dict[str, Any]
) -> None:
    org, invoice = people["cafe"]["org"], people["cafe_invoice"]
    member, stranger, weavers = (
        signed_in(app, email) for email in ("socia@example.mx", "otra@example.mx", "rebozos@example.mx")
    )
    anonymous = TestClient(app, follow_redirects=False)
    member_token, stranger_token = (api_token(client, e) for e in ("socia@example.mx", "otra@example.mx"))
    before = database_state(engine)

    member_page = member.get(invoices_page(org))
    assert one(member_page, f"#factura-{invoice.id}")
    assert not elements(member_page, "details.cancel-invoice")  # the form is for owners
    assert post_form(member, org, invoice, motive="02", confirm="1").status_code == 403
    api = f"/api/v1/organizations/{org.slug}/invoices/{invoice.id}/cancel"
    assert client.post(api, json={"motive": "02"}, headers=member_token).status_code == 403
    assert post_form(stranger, people["miel"], invoice, motive="02", confirm="1").status_code == 404
    stranger_api = client.post(
        f"/api/v1/organizations/{people['miel'].slug}/invoices/{invoice.id}/cancel",
        json={"motive": "02"},
        headers=stranger_token,
    )
    assert stranger_api.status_code == 404
    # an owner of the other producer on the same order
    assert post_form(weavers, people["rebozos"]["org"], invoice, motive="02", confirm="1").status_code == 404
    refused = anonymous.post(
        f"{invoices_page(org)}/{invoice.id}/cancelar",
        data={"csrf_token": csrf_of(anonymous), "motive": "02", "confirm": "1"},
    )
    assert refused.status_code == 303 and refused.headers["location"].startswith("/entrar")
    assert anonymous.post(api, json={"motive": "02"}).status_code == 401
    assert database_state(engine) == before


def test_the_pdf_of_a_cancelled_invoice_says_cancelada(
    app: FastAPI, engine: Engine, session: Session, pac_settings: Settings, stamped: dict[str, Any]
) -> None:
    invoice, other = stamped["cafe_invoice"], stamped["rebozos_invoice"]
    refund_whole(engine, invoice)
    run_worker(engine, pac_settings)
    [cancelled] = [i for i in invoices(session) if i.id == invoice.id]

    watermark, banner = elements(queries.printable_html(cancelled), ".cancelada")
    assert text_of(watermark) == "CANCELADA"
    assert text_of(banner).startswith("CANCELADA · ")
    assert not elements(queries.printable_html(other), ".cancelada")
    response = signed_in(app, "compras@escuela.mx").get(f"/facturas/{invoice.id}/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_committed_cancellation_acuse_cancels_the_sample_ingreso() -> None:
    """tests/invoicing/samples/cancelacion-acuse.xml: the PAC's acuse for cancelling the committed sample
    ingreso with motive 03, signed by the PAC's test certificate committed beside it."""
    acuse = etree.fromstring(CANCELLATION_ACUSE.read_bytes())
    ingreso = CFDI.from_string(SAMPLE.read_bytes())
    assert acuse.tag == "Acuse" and acuse.get("RfcEmisor") == ingreso["Emisor"]["Rfc"]
    assert acuse.findtext(f"{SAT}Folios/{SAT}UUID") == ingreso["Complemento"]["TimbreFiscalDigital"]["UUID"]
    assert acuse.findtext(f"{SAT}Folios/{SAT}EstatusUUID") == "201"
    signer = verified_signer(acuse)
    assert signer.certificate_base64() == base64.b64encode(PAC_CERTIFICATE.read_bytes()).decode()
