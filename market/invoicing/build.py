"""A producer's part of an order as a CFDI 4.0 de Ingreso: the producer issues it (its fiscal profile), the
institution receives it (its CFDI data), one Concepto per line with the listing's SAT keys, and the delivery
charge, if any, as a service at 16 %. When the institution pays a PPD ingreso, its CFDI de Pago.

Prices in the app include IVA and are integer centavos. Each Concepto's Importe is its price without IVA
(the unit price ÷ 1.16 to six decimals, times the quantity, rounded to centavos) and its IVA is what is left
of the line's price: within the SAT's tolerance for rounding, and the CFDI's Total is the part's total to the
centavo."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from satcfdi.cfdi import CFDI
from satcfdi.create.cfd import cfdi40

from market.catalog.models import Listing
from market.catalog.taxonomy import default_sat_product_key, default_sat_unit_key, iva_bps
from market.orders.models import Fulfillment, OrderLine

CENT = Decimal("0.01")
SIX = Decimal("0.000001")
SERVICE_UNIT = "E48"  # Unidad de servicio
DELIVERY_KEYS = {"national": "78102200", "delivery": "78101800"}  # paquetería; transporte de carga
DELIVERY_BPS = 1600
STANDARD_BPS = 1600  # IVA's general rate
DELIVERY_TITLE = {"national": "Envío", "delivery": "Entrega a domicilio"}
TRANSFER = "03"  # c_FormaPago: transferencia electrónica de fondos


class Issuer(Protocol):
    """Who issues an invoice, as the SAT has it: a producer organization, or the platform for its fees."""

    @property
    def rfc(self) -> str | None: ...
    @property
    def legal_name(self) -> str | None: ...
    @property
    def tax_regime(self) -> str | None: ...
    @property
    def fiscal_postal_code(self) -> str | None: ...


def emisor(issuer: Issuer) -> cfdi40.Emisor:
    return cfdi40.Emisor(rfc=issuer.rfc, nombre=issuer.legal_name, regimen_fiscal=issuer.tax_regime)


class Receiver(Protocol):
    """Whom an invoice is issued to, as the SAT has it: an institution's CFDI data or a buyer's own."""

    rfc: str
    razon_social: str
    regimen_fiscal: str
    codigo_postal: str
    uso_cfdi: str


def pesos(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def concepto(
    *,
    key: str,
    unit_key: str,
    description: str,
    quantity: int,
    unit_price_cents: int,
    total_cents: int,
    rate_bps: int,
    tax_object: str,
) -> cfdi40.Concepto:
    """One line: price without IVA per unit, and the IVA that makes its Importe + IVA the line's price."""
    if tax_object != "02":  # not object of tax: the price is the whole of it
        return cfdi40.Concepto(
            clave_prod_serv=key,
            cantidad=Decimal(quantity),
            clave_unidad=unit_key,
            descripcion=description,
            valor_unitario=pesos(unit_price_cents),
            objeto_imp=tax_object,
        )
    rate = Decimal(rate_bps) / 10_000
    if rate_bps == 0:
        unit_value = pesos(unit_price_cents)
    else:
        unit_value = (pesos(unit_price_cents) / (1 + rate)).quantize(SIX, rounding=ROUND_HALF_UP)
    importe = round(Decimal(quantity) * unit_value, 2)  # as satcfdi computes it
    traslado = cfdi40.Traslado(
        impuesto="002",
        tipo_factor="Tasa",
        tasa_o_cuota=rate.quantize(SIX),
        base=importe,
        importe=pesos(total_cents) - importe,
    )
    return cfdi40.Concepto(
        clave_prod_serv=key,
        cantidad=Decimal(quantity),
        clave_unidad=unit_key,
        descripcion=description,
        valor_unitario=unit_value,
        objeto_imp="02",
        impuestos=cfdi40.Impuestos(traslados=[traslado]),
    )


def line_concepto(line: OrderLine, listing: Listing | None, category: str | None) -> cfdi40.Concepto:
    """A line with its listing's keys; a quoted line (no listing) with those of the demand's category."""
    if listing is not None:
        key, unit_key, tax_object = listing.sat_product_key, listing.sat_unit_key, listing.tax_object
        category = listing.category
    else:
        key, unit_key, tax_object = (
            default_sat_product_key(category or ""),
            default_sat_unit_key(line.unit),
            "02",
        )
    return concepto(
        key=key,
        unit_key=unit_key,
        description=line.title,
        quantity=line.quantity,
        unit_price_cents=line.unit_price_cents,
        total_cents=line.total_cents,
        rate_bps=iva_bps(category or ""),
        tax_object=tax_object,
    )


def delivery_concepto(fulfillment: Fulfillment) -> cfdi40.Concepto:
    return concepto(
        key=DELIVERY_KEYS.get(fulfillment.delivery_method, DELIVERY_KEYS["delivery"]),
        unit_key=SERVICE_UNIT,
        description=DELIVERY_TITLE.get(fulfillment.delivery_method, DELIVERY_TITLE["delivery"]),
        quantity=1,
        unit_price_cents=fulfillment.delivery_cents,
        total_cents=fulfillment.delivery_cents,
        rate_bps=DELIVERY_BPS,
        tax_object="02",
    )


def part_conceptos(
    fulfillment: Fulfillment, lines: list[tuple[OrderLine, Listing | None]], category: str | None
) -> list[cfdi40.Concepto]:
    """What a part sold, one Concepto per line, and its delivery charge if any."""
    conceptos = [line_concepto(line, listing, category) for line, listing in lines]
    if fulfillment.delivery_cents:
        conceptos.append(delivery_concepto(fulfillment))
    return conceptos


def ingreso(
    *,
    issuer: Issuer,
    receiver: Receiver,
    fulfillment: Fulfillment,
    lines: list[tuple[OrderLine, Listing | None]],
    category: str | None,
    serie: str,
    folio: int,
    metodo_pago: str,
    forma_pago: str,
    fecha: datetime,
) -> cfdi40.Comprobante:
    """The part's CFDI de Ingreso (not sealed). `category`: the demand's, for quoted lines."""
    return cfdi40.Comprobante(
        emisor=emisor(issuer),
        lugar_expedicion=issuer.fiscal_postal_code,
        receptor=cfdi40.Receptor(
            rfc=receiver.rfc,
            nombre=receiver.razon_social,
            domicilio_fiscal_receptor=receiver.codigo_postal,
            regimen_fiscal_receptor=receiver.regimen_fiscal,
            uso_cfdi=receiver.uso_cfdi,
        ),
        conceptos=part_conceptos(fulfillment, lines, category),
        metodo_pago=metodo_pago,
        forma_pago=forma_pago,
        serie=serie,
        folio=str(folio),
        exportacion="01",
        fecha=fecha,
    )


def pago(
    *,
    ingreso_xml: bytes,
    amount_cents: int,
    serie: str,
    folio: int,
    fecha: datetime,
    fecha_pago: datetime,
    balance_cents: int | None = None,
) -> cfdi40.Comprobante:
    """The CFDI de Pago (Complemento de Pagos 2.0) of a PPD ingreso paid in one transfer (not sealed):
    issued by the ingreso's issuer to its receiver, its one DoctoRelacionado the ingreso's UUID, serie and
    folio, first parcialidad, with the IVA of what was paid per rate (satcfdi computes the DR and P taxes
    and the totals from the ingreso's conceptos). `balance_cents`: what was owed before this payment
    (ImpSaldoAnt), less than the ingreso's total once credit notes lowered it; the ingreso's total if None."""
    ingreso = CFDI.from_string(ingreso_xml)
    for line in ingreso["Conceptos"]:
        line.setdefault("Impuestos", None)  # a line not object of tax has none; satcfdi reads the key
    return cfdi40.Comprobante.pago_comprobantes(
        cfdi40.PagoComprobante(
            comprobante=ingreso,
            num_parcialidad=1,
            imp_saldo_ant=ingreso["Total"] if balance_cents is None else pesos(balance_cents),
            imp_pagado=pesos(amount_cents),
        ),
        fecha_pago=fecha_pago,
        forma_pago=TRANSFER,
        serie=serie,
        folio=str(folio),
        fecha=fecha,
    )


COMMISSION_KEY = "80141706"  # c_ClaveProdServ: Servicio de intermediación de productos
COMPENSATION = "17"  # c_FormaPago: compensación (the fee is withheld from what the producer is paid)
COMMISSION_USE = "G03"  # c_UsoCFDI: gastos en general


def commission(
    *,
    issuer: Issuer,
    receiver: Issuer,  # the producer, with the same four fiscal facts as an issuer
    amount_cents: int,
    period: str,
    serie: str,
    folio: int,
    fecha: datetime,
) -> cfdi40.Comprobante:
    """The platform's CFDI de Ingreso to a producer for its fees in `period` ("2026-11"): one service at
    16 %, IVA included in the fee (the platform withholds the fee whole from the producer's sales and adds
    nothing to it), paid by compensation at once (PUE, forma de pago 17)."""
    return cfdi40.Comprobante(
        emisor=emisor(issuer),
        lugar_expedicion=issuer.fiscal_postal_code,
        receptor=cfdi40.Receptor(
            rfc=receiver.rfc,
            nombre=receiver.legal_name,
            domicilio_fiscal_receptor=receiver.fiscal_postal_code,
            regimen_fiscal_receptor=receiver.tax_regime,
            uso_cfdi=COMMISSION_USE,
        ),
        conceptos=[
            concepto(
                key=COMMISSION_KEY,
                unit_key=SERVICE_UNIT,
                description=f"Comisión por intermediación en la venta de productos, {period}",
                quantity=1,
                unit_price_cents=amount_cents,
                total_cents=amount_cents,
                rate_bps=STANDARD_BPS,
                tax_object="02",
            )
        ],
        metodo_pago="PUE",
        forma_pago=COMPENSATION,
        serie=serie,
        folio=str(folio),
        exportacion="01",
        fecha=fecha,
    )
