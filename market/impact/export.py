"""The sales behind the impact figures as CSV: one row per sale and no buyer's identity; money in pesos with
two decimals (written by market.csvfiles, like every export)."""

from __future__ import annotations

from fastapi.responses import Response

from market import csvfiles
from market.impact.service import Sale
from market.mexico import CERTIFICATIONS, LEGAL_FORMS, state_name
from market.money import cents_to_pesos

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


def _yes_no(value: bool) -> str:
    return "sí" if value else "no"


def row_of(sale: Sale) -> list[csvfiles.Cell]:
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
            cents_to_pesos(cents)
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


def download(sales: list[Sale], filename: str) -> Response:
    return csvfiles.response(filename, COLUMNS, (row_of(sale) for sale in sales))
