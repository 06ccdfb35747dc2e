"""Writes the committed samples, sealed with a test CSD and stamped through the loopback PAC
(tests/fixtures/pac.py), with that PAC's test certificate beside them so that their SelloSAT can be checked:
a CFDI 4.0 de Ingreso (PUE, to público en general in a global invoice), a CFDI de Pago (Complemento de
Pagos 2.0) for an institution's PPD ingreso paid by transfer, built as the worker builds it, a month's CFDI
global built by market.invoicing.build_global, a CFDI de Egreso (credit note) for part of that ingreso, the
platform's commission invoice to a producer, and the acuse of cancelling the ingreso with motive 03, as the
loopback PAC answers it (SW's shape, signed by the PAC's test certificate).

    PYTHONPATH=$PWD .venv/bin/python -m tests.invoicing.samples.make

`ingreso()` is also the invoice tests/invoicing/test_pac.py stamps."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from satcfdi.cfdi import CFDI
from satcfdi.create.cfd import cfdi40
from satcfdi.models import Signer

from market.config import Settings
from market.invoicing import build, build_global, credit_note, platform
from market.invoicing.csd import make_test_csd
from market.invoicing.pac import MEXICO_CITY, Stamped, cancel, stamp
from market.invoicing.seal import seal
from market.orders.models import Fulfillment, OrderLine
from market.organizations.models import Organization
from tests.fixtures.pac import PacServer
from tests.helpers import SCHOOL, free_port

HERE = Path(__file__).parent
SAMPLE = HERE / "ingreso-publico-en-general.xml"
PAGO_SAMPLE = HERE / "pago-de-ingreso-ppd.xml"
EGRESO_SAMPLE = HERE / "egreso-de-ingreso-ppd.xml"
COMISION_SAMPLE = HERE / "comision-de-la-plataforma.xml"
PAC_CERTIFICATE = HERE / "pac-de-pruebas.cer"
GLOBAL_SAMPLE = HERE / "global-mensual.xml"
CANCELLATION_ACUSE = HERE / "cancelacion-acuse.xml"
NOT_CARRIED_OUT = "03"  # c_MotivoCancelacion: the operation did not take place
RFC = "CTZ0803115N4"
NAME = "COOPERATIVA TEJEDORAS DE ZINACANTAN"
POSTAL_CODE = "29350"  # Zinacantán, Chiapas


def sample_signer() -> Signer:
    files = make_test_csd(RFC, NAME)
    return Signer.load(certificate=files.certificate, key=files.key, password=files.password)


def ingreso(
    fecha: datetime | None = None, folio: str = "1", rfc: str = RFC, name: str = NAME
) -> cfdi40.Comprobante:
    """Two kilos of coffee (IVA 0 %) and a rebozo (IVA 16 %, price 1,160.00 with IVA) sold to público en
    general, paid by transfer: the month's global invoice, issued by `rfc` (régimen 601)."""
    fecha = fecha or datetime.now(MEXICO_CITY).replace(tzinfo=None, microsecond=0)

    def iva(rate: str) -> cfdi40.Impuestos:
        return cfdi40.Impuestos(
            traslados=[cfdi40.Traslado(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=Decimal(rate))]
        )

    return cfdi40.Comprobante(
        emisor=cfdi40.Emisor(rfc=rfc, nombre=name, regimen_fiscal="601"),
        lugar_expedicion=POSTAL_CODE,
        receptor=cfdi40.Receptor(
            rfc="XAXX010101000",
            nombre="PUBLICO EN GENERAL",
            domicilio_fiscal_receptor=POSTAL_CODE,
            regimen_fiscal_receptor="616",
            uso_cfdi="S01",
        ),
        conceptos=[
            cfdi40.Concepto(
                clave_prod_serv="50201706",
                cantidad=Decimal("2"),
                clave_unidad="KGM",
                descripcion="Café de altura de Chiapas, tostado",
                valor_unitario=Decimal("250.00"),
                objeto_imp="02",
                impuestos=iva("0.000000"),
            ),
            cfdi40.Concepto(
                clave_prod_serv="53102000",
                cantidad=Decimal("1"),
                clave_unidad="H87",
                descripcion="Rebozo tejido en telar de cintura",
                valor_unitario=Decimal("1000.00"),
                objeto_imp="02",
                impuestos=iva("0.160000"),
            ),
        ],
        metodo_pago="PUE",
        forma_pago="03",
        serie="A",
        folio=folio,
        informacion_global=cfdi40.InformacionGlobal(
            periodicidad="04", meses=f"{fecha.month:02d}", ano=fecha.year
        ),
        fecha=fecha,
    )


def ingreso_ppd(fecha: datetime) -> cfdi40.Comprobante:
    """The same goods sold to a school on 30-day invoice terms: PPD, forma de pago 99."""
    comprobante = ingreso(fecha, folio="2")
    del comprobante["InformacionGlobal"]
    comprobante["MetodoPago"], comprobante["FormaPago"] = "PPD", "99"
    comprobante["Receptor"] = cfdi40.Receptor(
        rfc=SCHOOL["rfc"],
        nombre=SCHOOL["razon_social"],
        domicilio_fiscal_receptor=SCHOOL["codigo_postal"],
        regimen_fiscal_receptor=SCHOOL["regimen_fiscal"],
        uso_cfdi=SCHOOL["uso_cfdi"],
    )
    return comprobante


def global_mensual(fecha: datetime) -> cfdi40.Comprobante:
    """Last month's global invoice of the weavers' cooperative, as the worker builds it: two sales paid by
    transfer, one of two kilos of coffee (IVA 0 %) delivered for 50.00 (IVA 16 %), one of a rebozo (16 %)."""

    def operation(number: str, category: str, line: OrderLine, delivery_cents: int) -> build_global.Operation:
        order_id, part_id = map(int, number.split("-"))
        part = Fulfillment(
            id=part_id,
            order_id=order_id,
            organization_id=1,
            delivery_method="delivery",
            subtotal_cents=line.total_cents,
            delivery_cents=delivery_cents,
            platform_fee_cents=0,
        )
        paid = line.total_cents + delivery_cents
        return build_global.Operation(number, build_global.shares(part, [(line, None)], category, paid))

    def line(title: str, unit: str, price_cents: int, quantity: int) -> OrderLine:
        return OrderLine(
            fulfillment_id=0,
            title=title,
            unit=unit,
            unit_price_cents=price_cents,
            quantity=quantity,
            total_cents=price_cents * quantity,
        )

    coffee, rebozo = line("Café", "kg", 25000, 2), line("Rebozo", "pieza", 116000, 1)
    issuer = Organization(
        slug="tejedoras",
        name="Tejedoras de Zinacantán",
        legal_form="cooperativa",
        state="07",
        municipality="Zinacantán",
        rfc=RFC,
        legal_name=NAME,
        tax_regime="601",
        fiscal_postal_code=POSTAL_CODE,
    )
    last_month = f"{fecha.year - 1}-12" if fecha.month == 1 else f"{fecha.year}-{fecha.month - 1:02d}"
    return build_global.comprobante(
        issuer=issuer,
        operations=[operation("101-201", "cafe", coffee, 5000), operation("102-202", "textiles", rebozo, 0)],
        period=last_month,
        forma_pago=build.TRANSFER,
        serie="G",
        folio=1,
        fecha=fecha,
    )


def make_global(settings: Settings, signer: Signer, now: datetime) -> None:
    stamped = stamp(settings, seal(global_mensual(now), signer))
    GLOBAL_SAMPLE.write_bytes(stamped.xml)
    print(f"{GLOBAL_SAMPLE.name}: UUID {stamped.uuid}")


WEAVERS = platform.Issuer(rfc=RFC, legal_name=NAME, tax_regime="601", fiscal_postal_code=POSTAL_CODE)


def egreso(settings: Settings, signer: Signer, owed: Stamped, fecha: datetime) -> Stamped:
    """A credit note for $580.00 of the school's PPD ingreso `owed` (not paid yet: condonación), related
    to it by UUID, split across its 0 % and 16 % as the part was sold; stamped."""
    note = credit_note.egreso(
        issuer=WEAVERS,
        corrected_xml=owed.xml,
        sold=credit_note.treatments(CFDI.from_string(owed.xml)["Conceptos"]),
        amount_cents=58000,
        whole=False,
        forma_pago="15",
        serie="E",
        folio=1,
        fecha=fecha,
    )
    return stamp(settings, seal(note, signer))


def commission(settings: Settings, fecha: datetime) -> Stamped:
    """The platform's commission invoice to the weavers for a month's fees ($1,234.56, IVA included),
    sealed with the platform's test CSD (the SAT's test RFC); stamped."""
    issuer = platform.issuer(Settings(_env_file=None))
    files = make_test_csd(issuer.rfc, issuer.legal_name)
    invoice = build.commission(
        issuer=issuer,
        receiver=WEAVERS,
        amount_cents=123456,
        period=f"{fecha:%Y-%m}",
        serie="C",
        folio=1,
        fecha=fecha,
    )
    signer = Signer.load(certificate=files.certificate, key=files.key, password=files.password)
    return stamp(settings, seal(invoice, signer))


def cancellation_acuse(settings: Settings, signer: Signer, stamped: Stamped) -> bytes:
    """The PAC's acuse for cancelling the stamped CFDI with motive 03, as the worker asks for it."""
    return cancel(settings, signer, stamped.uuid, NOT_CARRIED_OUT).acuse


def main() -> None:
    pac = PacServer(port=free_port())
    pac.start()
    signer = sample_signer()
    now = datetime.now(MEXICO_CITY).replace(tzinfo=None, microsecond=0)
    try:
        settings = pac.settings(Settings(_env_file=None))
        stamped = stamp(settings, seal(ingreso(), signer))
        owed = stamp(settings, seal(ingreso_ppd(now), signer))
        total = CFDI.from_string(owed.xml)["Total"]
        pago = build.pago(
            ingreso_xml=owed.xml, amount_cents=int(total * 100), serie="P", folio=1, fecha=now, fecha_pago=now
        )
        paid = stamp(settings, seal(pago, signer))
        make_global(settings, signer, now)
        credited = egreso(settings, signer, owed, now)
        fees = commission(settings, now)
        acuse = cancellation_acuse(settings, signer, stamped)
    finally:
        pac.stop()
    SAMPLE.write_bytes(stamped.xml)
    PAGO_SAMPLE.write_bytes(paid.xml)
    PAC_CERTIFICATE.write_bytes(pac.certificate)
    CANCELLATION_ACUSE.write_bytes(acuse)
    print(f"{SAMPLE.name}: UUID {stamped.uuid}, timbrado {stamped.stamped_at.isoformat()}")
    print(f"{PAGO_SAMPLE.name}: UUID {paid.uuid}, pays {owed.uuid}")
    EGRESO_SAMPLE.write_bytes(credited.xml)
    COMISION_SAMPLE.write_bytes(fees.xml)
    print(f"{EGRESO_SAMPLE.name}: UUID {credited.uuid}, credits {owed.uuid}")
    print(f"{COMISION_SAMPLE.name}: UUID {fees.uuid}")
    print(f"{CANCELLATION_ACUSE.name}: cancels {stamped.uuid} (motive {NOT_CARRIED_OUT})")


if __name__ == "__main__":
    main()
