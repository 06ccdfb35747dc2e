"""A CFDI de Egreso (nota de crédito), built from the CFDI it corrects: the same issuer and receiver (as the
corrected CFDI names it: an egreso of a global invoice goes to público en general), related to it by
UUID with TipoRelacion 01, paid at once (PUE).

As the SAT's guide for credit notes asks, the conceptos are not the goods again but the refund itself:
ClaveProdServ 84111506, ClaveUnidad ACT, "Devolución" (the whole part's money went back) or "Bonificación"
(part of it). The amount is split across the part's tax treatments (0 %, 16 %, not object of tax) in the
proportion of what the part was sold for under each, one concepto per treatment, each priced IVA included
as build.concepto does (importe, then IVA = the rest): the egreso's Total is the amount to the centavo."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from satcfdi.cfdi import CFDI
from satcfdi.create.cfd import cfdi40

from market.invoicing.build import Issuer, concepto, emisor

CREDIT_NOTE_KEY = "84111506"  # c_ClaveProdServ the SAT's guide names for a nota de crédito
CREDIT_NOTE_UNIT = "ACT"  # c_ClaveUnidad: actividad
CREDIT_NOTE = "01"  # c_TipoRelacion: nota de crédito de los documentos relacionados
RETURNS_USE = "G02"  # c_UsoCFDI: devoluciones, descuentos o bonificaciones
# Régimenes whose receivers may not use G02 (sueldos y salarios; sin obligaciones fiscales: público en
# general), per the c_UsoCFDI catalogue's column of régimenes (satcfdi's copy does not ship that column):
# their egreso keeps the corrected CFDI's use (S01 for público en general, as the SAT's global guide says).
NO_RETURNS_USE = {"605", "616"}

Treatment = tuple[str, int]  # (ObjetoImp, IVA in basis points)


def _code(value: Any) -> str:
    return str(getattr(value, "code", value))


def treatments(conceptos: Iterable[Mapping[str, Any]]) -> dict[Treatment, int]:
    """What the conceptos sold for, IVA included, per tax treatment, in centavos."""
    totals: dict[Treatment, int] = {}
    for line in conceptos:
        traslados = (line.get("Impuestos") or {}).get("Traslados") or []
        if isinstance(traslados, Mapping):  # as satcfdi reads a stamped CFDI
            traslados = list(traslados.values())
        if traslados:
            [iva] = traslados
            key = ("02", int(Decimal(iva["TasaOCuota"]) * 10_000))
            amount = Decimal(iva["Base"]) + Decimal(iva["Importe"])
        else:
            key = (_code(line["ObjetoImp"]), 0)
            importe = line.get("Importe")
            if importe is None:
                importe = round(Decimal(line["Cantidad"]) * Decimal(line["ValorUnitario"]), 2)
            amount = Decimal(importe) - Decimal(line.get("Descuento") or 0)
        totals[key] = totals.get(key, 0) + int(amount * 100)
    return totals


def split(amount_cents: int, shares: Mapping[Treatment, int]) -> dict[Treatment, int]:
    """`amount_cents` across the treatments in proportion to `shares`, in whole centavos that add up to it
    (the largest remainders get the centavos left over)."""
    whole = sum(shares.values())
    if whole <= 0:
        raise ValueError("nothing to split the credit note across")
    exact = {key: amount_cents * share for key, share in shares.items()}
    parts = {key: value // whole for key, value in exact.items()}
    left = amount_cents - sum(parts.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] % whole), k))[:left]:
        parts[key] += 1
    return {key: cents for key, cents in parts.items() if cents}


def egreso(
    *,
    issuer: Issuer,
    corrected_xml: bytes,
    sold: Mapping[Treatment, int],
    amount_cents: int,
    whole: bool,
    forma_pago: str,
    serie: str,
    folio: int,
    fecha: datetime,
) -> cfdi40.Comprobante:
    """The credit note (not sealed) for `amount_cents` of a part sold for `sold` (per tax treatment, see
    `treatments`), related to the stamped CFDI `corrected_xml`."""
    corrected = CFDI.from_string(corrected_xml)
    receptor = corrected["Receptor"]
    regimen = _code(receptor["RegimenFiscalReceptor"])
    uso = _code(receptor["UsoCFDI"])
    description = "Devolución" if whole else "Bonificación"
    conceptos = [
        concepto(
            key=CREDIT_NOTE_KEY,
            unit_key=CREDIT_NOTE_UNIT,
            description=description,
            quantity=1,
            unit_price_cents=cents,
            total_cents=cents,
            rate_bps=rate_bps,
            tax_object=tax_object,
        )
        for (tax_object, rate_bps), cents in sorted(split(amount_cents, sold).items())
    ]
    # Público en general (XAXX010101000, "PUBLICO EN GENERAL") names the period as the global invoice it
    # corrects does: the SAT's schema rules ask for InformacionGlobal whenever the receiver is that one.
    global_period = corrected.get("InformacionGlobal")
    return cfdi40.Comprobante(
        emisor=emisor(issuer),
        lugar_expedicion=issuer.fiscal_postal_code,
        receptor=cfdi40.Receptor(
            rfc=receptor["Rfc"],
            nombre=receptor["Nombre"],
            domicilio_fiscal_receptor=receptor["DomicilioFiscalReceptor"],
            regimen_fiscal_receptor=regimen,
            uso_cfdi=uso if regimen in NO_RETURNS_USE else RETURNS_USE,
        ),
        informacion_global=cfdi40.InformacionGlobal(
            periodicidad=_code(global_period["Periodicidad"]),
            meses=_code(global_period["Meses"]),
            ano=int(global_period["Año"]),
        )
        if global_period
        else None,
        cfdi_relacionados=[
            cfdi40.CfdiRelacionados(
                tipo_relacion=CREDIT_NOTE,
                cfdi_relacionado=[corrected["Complemento"]["TimbreFiscalDigital"]["UUID"]],
            )
        ],
        tipo_de_comprobante="E",
        conceptos=conceptos,
        metodo_pago="PUE",
        forma_pago=forma_pago,
        serie=serie,
        folio=str(folio),
        exportacion="01",
        fecha=fecha,
    )
