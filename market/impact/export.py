"""The sales behind the impact figures as CSV: one row per sale and no buyer's identity; money in pesos with
two decimals, UTF-8 with a byte-order mark so that Excel (as used in Mexico) reads the accents."""

from __future__ import annotations

import csv
import io

from market.impact.service import Sale
from market.mexico import CERTIFICATIONS, LEGAL_FORMS, state_name
from market.money import cents_to_pesos_text

# Stable Spanish headers, as a spreadsheet would have them (they do not change with the interface language).
COLUMNS = (
    "mes",
    "organizacion",
    "estado_clave",
    "estado",
    "forma_juridica",
    "liderada_por_mujeres",
    "indigena",
    "certificaciones",
    "ods",
    "tipo_comprador",
    "bruto",
    "reembolsado",
    "pagado",
    "por_cobrar",  # invoiced to an institution, not paid yet ("pagado" is money received)
    "parte_productor",
    "comision_plataforma",
    "costo_pago",
)
BOM = "\ufeff"


def _yes_no(value: bool) -> str:
    return "sí" if value else "no"


def row_of(sale: Sale) -> list[str]:
    return [
        sale.month,
        sale.organization_name,
        sale.state,
        state_name(sale.state),
        LEGAL_FORMS.get(sale.legal_form, sale.legal_form),
        _yes_no(sale.women_led),
        _yes_no(sale.indigenous),
        "; ".join(CERTIFICATIONS.get(code, code) for code in sale.certifications),
        "; ".join(str(n) for n in sale.sdgs),
        "institucional" if sale.institutional else "consumidor",
        *(
            cents_to_pesos_text(cents)
            for cents in (
                sale.gross_cents,
                sale.refunded_cents,
                sale.paid_cents,
                sale.unpaid_cents,
                sale.producer_share_cents,
                sale.platform_fee_cents,
                sale.payment_cost_cents,
            )
        ),
    ]


def to_csv(sales: list[Sale]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(row_of(sale) for sale in sales)
    return BOM + buffer.getvalue()
