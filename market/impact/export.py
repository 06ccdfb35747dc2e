"""The impact figures as CSV; money in pesos with two decimals (written by market.csvfiles, like every
export). The public file holds the page's figures and tables only: a row per sale, even without names,
would let a producer that shared an award read its competitor's price off the other sale. An institution's
own report lists its purchases one by one (it knows what it paid), with no buyer's identity: that file grows
with history, so it is streamed, its rows read from the ledger in chunks (order by order)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.responses import Response, StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from market import csvfiles
from market.config import Settings
from market.impact.service import Bar, Impact, Sale, iter_sales
from market.mexico import CERTIFICATIONS, LEGAL_FORMS, SDGS, state_name
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


def purchases_file(
    engine: Engine, settings: Settings, buyer_organization_id: int, year: int | None
) -> Iterator[bytes]:
    """An institution's purchases of `year` (every year: None), one row per sale, a chunk at a time. The
    rows are read in a session of their own: the request's is closed once the response starts."""

    def rows() -> Iterator[list[csvfiles.Cell]]:
        with Session(engine) as session:
            for sale in iter_sales(session, settings, buyer_organization_id):
                if year is None or sale.month.startswith(f"{year:04d}-"):
                    yield row_of(sale)

    return csvfiles.chunks(COLUMNS, rows())


def purchases_download(
    engine: Engine, settings: Settings, buyer_organization_id: int, year: int | None, filename: str
) -> StreamingResponse:
    return csvfiles.streamed(filename, purchases_file(engine, settings, buyer_organization_id, year))


FIGURE_COLUMNS = ("tabla", "clave", "nombre", "organizaciones", "monto")


def figure_rows(impact: Impact) -> list[list[csvfiles.Cell]]:
    """The page's figures, one table after another: the totals, then the money that reached producers by
    month, state, legal form, certification and SDG (with how many organizations it reached)."""
    totals = [
        ("pagado", "Total pagado", impact.paid_cents),
        ("por_cobrar", "Facturado a instituciones, por cobrar", impact.unpaid_cents),
        ("parte_productores", "Para el sector social", impact.producer_share_cents),
        ("comision_plataforma", "Comisión de la plataforma", impact.platform_fee_cents),
        ("costo_pago", "Costo de los medios de pago", impact.payment_cost_cents),
        ("lideradas_por_mujeres", "A organizaciones lideradas por mujeres", impact.women_led_cents),
        ("comunidades_indigenas", "A comunidades indígenas", impact.indigenous_cents),
        ("instituciones", "Pagado por instituciones", impact.institutional_cents),
        ("consumidores", "Pagado por personas", impact.consumer_cents),
    ]
    rows: list[list[csvfiles.Cell]] = [
        ["total", key, name, None, cents_to_pesos(cents)] for key, name, cents in totals
    ]
    rows += [
        ["mes", m.month, m.month, m.organizations, cents_to_pesos(m.value_cents)] for m in impact.by_month
    ]

    def table(name: str, bars: list[Bar], label: dict[str, str]) -> None:
        rows.extend(
            [name, bar.key, label.get(bar.key, bar.key), bar.organizations, cents_to_pesos(bar.value_cents)]
            for bar in bars
        )

    table("estado", impact.by_state, {bar.key: state_name(bar.key) for bar in impact.by_state})
    table("forma_juridica", impact.by_legal_form, LEGAL_FORMS)
    table("certificacion", impact.by_certification, CERTIFICATIONS)
    table("ods", impact.by_sdg, {str(n): name for n, name in SDGS.items()})
    return rows


def figures_download(impact: Impact, filename: str) -> Response:
    return csvfiles.response(filename, FIGURE_COLUMNS, figure_rows(impact))
