"""Writes the committed samples, sealed with a test CSD and stamped through the loopback PAC
(tests/fixtures/pac.py), with that PAC's test certificate beside them so that their SelloSAT can be checked:
a CFDI 4.0 de Ingreso (PUE, to público en general in a global invoice), and a CFDI de Pago (Complemento de
Pagos 2.0) for an institution's PPD ingreso paid by transfer, built as the worker builds it; and the acuse
of cancelling that ingreso with motive 03, as the loopback PAC answers it (SW's shape, signed by the PAC's
test certificate).

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
from market.invoicing import build
from market.invoicing.csd import make_test_csd
from market.invoicing.pac import MEXICO_CITY, Stamped, cancel, stamp
from market.invoicing.seal import seal
from tests.fixtures.pac import PacServer
from tests.helpers import SCHOOL, free_port

HERE = Path(__file__).parent
SAMPLE = HERE / "ingreso-publico-en-general.xml"
PAGO_SAMPLE = HERE / "pago-de-ingreso-ppd.xml"
PAC_CERTIFICATE = HERE / "pac-de-pruebas.cer"
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
        acuse = cancellation_acuse(settings, signer, stamped)
    finally:
        pac.stop()
    SAMPLE.write_bytes(stamped.xml)
    PAGO_SAMPLE.write_bytes(paid.xml)
    PAC_CERTIFICATE.write_bytes(pac.certificate)
    CANCELLATION_ACUSE.write_bytes(acuse)
    print(f"{SAMPLE.name}: UUID {stamped.uuid}, timbrado {stamped.stamped_at.isoformat()}")
    print(f"{PAGO_SAMPLE.name}: UUID {paid.uuid}, pays {owed.uuid}")
    print(f"{CANCELLATION_ACUSE.name}: cancels {stamped.uuid} (motive {NOT_CARRIED_OUT})")


if __name__ == "__main__":
    main()
