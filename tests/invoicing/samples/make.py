"""Writes the committed sample: a CFDI 4.0 de Ingreso (PUE, to público en general in a global invoice) sealed
with a test CSD and stamped through the loopback PAC (tests/fixtures/pac.py), with that PAC's test
certificate beside it so that its SelloSAT can be checked.

    PYTHONPATH=$PWD .venv/bin/python -m tests.invoicing.samples.make

`ingreso()` is also the invoice tests/invoicing/test_pac.py stamps."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from satcfdi.create.cfd import cfdi40
from satcfdi.models import Signer

from market.config import Settings
from market.invoicing.csd import make_test_csd
from market.invoicing.pac import MEXICO_CITY, stamp
from market.invoicing.seal import seal
from tests.fixtures.pac import PacServer
from tests.helpers import free_port

HERE = Path(__file__).parent
SAMPLE = HERE / "ingreso-publico-en-general.xml"
PAC_CERTIFICATE = HERE / "pac-de-pruebas.cer"
RFC = "CTZ0803115N4"
NAME = "COOPERATIVA TEJEDORAS DE ZINACANTAN"
POSTAL_CODE = "29350"  # Zinacantán, Chiapas


def sample_signer() -> Signer:
    files = make_test_csd(RFC, NAME)
    return Signer.load(certificate=files.certificate, key=files.key, password=files.password)


def ingreso(fecha: datetime | None = None, folio: str = "1") -> cfdi40.Comprobante:
    """Two kilos of coffee (IVA 0 %) and a rebozo (IVA 16 %, price 1,160.00 with IVA) sold to público en
    general, paid by transfer: the month's global invoice."""
    fecha = fecha or datetime.now(MEXICO_CITY).replace(tzinfo=None, microsecond=0)

    def iva(rate: str) -> cfdi40.Impuestos:
        return cfdi40.Impuestos(
            traslados=[cfdi40.Traslado(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=Decimal(rate))]
        )

    return cfdi40.Comprobante(
        emisor=cfdi40.Emisor(rfc=RFC, nombre=NAME, regimen_fiscal="601"),
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


def main() -> None:
    pac = PacServer(port=free_port())
    pac.start()
    try:
        settings = pac.settings(Settings(_env_file=None))
        stamped = stamp(settings, seal(ingreso(), sample_signer()))
    finally:
        pac.stop()
    SAMPLE.write_bytes(stamped.xml)
    PAC_CERTIFICATE.write_bytes(pac.certificate)
    print(f"{SAMPLE.name}: UUID {stamped.uuid}, timbrado {stamped.stamped_at.isoformat()}")


if __name__ == "__main__":
    main()
