"""A producer's month of sales to público en general as its CFDI global (Anexo 20 and the SAT's "Guía de
llenado del CFDI global"): issued to RFC XAXX010101000, "PUBLICO EN GENERAL", régimen 616, uso S01, at the
issuer's own postal code, with InformacionGlobal (periodicidad 04 mensual, the month, the year).

Each operation (here each part of an order) is a Concepto: ClaveProdServ 01010101, ClaveUnidad ACT,
Cantidad 1, Descripcion "Venta", NoIdentificacion the part's number, its price without IVA and its IVA. A
Concepto carries one IVA rate, so a part sold at two rates (food at 0 %, delivery at 16 %) is one Concepto
per rate, both with the part's number. What each rate holds of the part comes from its lines as its own
ingreso would invoice them (build.line_concepto / delivery_concepto); a part refunded in part before the
month was gathered counts for what was kept, spread over its rates in proportion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from satcfdi.create.cfd import cfdi40

from market.catalog.models import Listing
from market.invoicing import build
from market.orders.models import Fulfillment, OrderLine

PUBLIC_RFC = "XAXX010101000"
PUBLIC_NAME = "PUBLICO EN GENERAL"
PUBLIC_REGIME = "616"  # c_RegimenFiscal: sin obligaciones fiscales
PUBLIC_USE = "S01"  # c_UsoCFDI: sin efectos fiscales
MONTHLY = "04"  # c_Periodicidad: mensual
OPERATION_KEY = "01010101"  # c_ClaveProdServ: no existe en el catálogo (the guide's key for a global)
OPERATION_UNIT = "ACT"  # c_ClaveUnidad: actividad
OPERATION = "Venta"

Tax = tuple[str, int]  # (c_ObjetoImp, IVA rate in basis points; 0 when not object of tax)


@dataclass(frozen=True)
class Operation:
    """One part sold to público en general: its number and what it was paid, IVA included, per tax."""

    number: str
    shares: dict[Tax, int]


def tax_of(concepto: cfdi40.Concepto) -> Tax:
    """The (ObjetoImp, rate) an ingreso's Concepto was built with."""
    if concepto["ObjetoImp"] != "02":
        return concepto["ObjetoImp"], 0
    [traslado] = concepto["Impuestos"]["Traslados"]
    return "02", int(Decimal(traslado["TasaOCuota"]) * 10_000)


def shares(
    fulfillment: Fulfillment,
    lines: list[tuple[OrderLine, Listing | None]],
    category: str | None,
    paid_cents: int,
) -> dict[Tax, int]:
    """What of `paid_cents` falls under each tax: each line's price at its rate (and the delivery's), scaled
    down with the largest remainders when less than the part's price was kept, so the shares add up to
    `paid_cents` exactly."""
    priced: dict[Tax, int] = {}
    for line, listing in lines:
        tax = tax_of(build.line_concepto(line, listing, category))
        priced[tax] = priced.get(tax, 0) + line.total_cents
    if fulfillment.delivery_cents:
        tax = tax_of(build.delivery_concepto(fulfillment))
        priced[tax] = priced.get(tax, 0) + fulfillment.delivery_cents
    whole = sum(priced.values())
    if whole == paid_cents or whole == 0:
        return priced
    scaled = {tax: cents * paid_cents // whole for tax, cents in priced.items()}
    by_remainder = sorted(priced, key=lambda tax: (-(priced[tax] * paid_cents % whole), tax))
    for tax in by_remainder[: paid_cents - sum(scaled.values())]:
        scaled[tax] += 1
    return scaled


def forma_of(amounts: dict[str, int]) -> str:
    """One c_FormaPago for the month: the guide asks for the one that paid the largest amount (on a tie, the
    lowest code, so that it does not depend on the order the sales were read in)."""
    return max(sorted(amounts), key=lambda forma: amounts[forma])


def operation_conceptos(operation: Operation) -> list[cfdi40.Concepto]:
    conceptos = []
    for (tax_object, rate_bps), cents in sorted(operation.shares.items()):
        if cents <= 0:
            continue
        concepto = build.concepto(
            key=OPERATION_KEY,
            unit_key=OPERATION_UNIT,
            description=OPERATION,
            quantity=1,
            unit_price_cents=cents,
            total_cents=cents,
            rate_bps=rate_bps,
            tax_object=tax_object,
        )
        concepto["NoIdentificacion"] = operation.number
        # One operation: its value is its amount without IVA, to the centavo (as its Importe and IVA base).
        concepto["ValorUnitario"] = round(concepto["ValorUnitario"], 2)
        conceptos.append(concepto)
    return conceptos


def comprobante(
    *,
    issuer: build.Issuer,
    operations: list[Operation],
    period: str,
    forma_pago: str,
    serie: str,
    folio: int,
    fecha: datetime,
) -> cfdi40.Comprobante:
    """The month's CFDI global (not sealed): PUE, paid when each sale was."""
    year, month = period.split("-")
    return cfdi40.Comprobante(
        emisor=cfdi40.Emisor(rfc=issuer.rfc, nombre=issuer.legal_name, regimen_fiscal=issuer.tax_regime),
        lugar_expedicion=issuer.fiscal_postal_code,
        receptor=cfdi40.Receptor(
            rfc=PUBLIC_RFC,
            nombre=PUBLIC_NAME,
            domicilio_fiscal_receptor=issuer.fiscal_postal_code,
            regimen_fiscal_receptor=PUBLIC_REGIME,
            uso_cfdi=PUBLIC_USE,
        ),
        informacion_global=cfdi40.InformacionGlobal(periodicidad=MONTHLY, meses=month, ano=int(year)),
        conceptos=[concepto for operation in operations for concepto in operation_conceptos(operation)],
        metodo_pago="PUE",
        forma_pago=forma_pago,
        serie=serie,
        folio=str(folio),
        exportacion="01",
        fecha=fecha,
    )
