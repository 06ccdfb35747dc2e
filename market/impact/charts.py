"""The impact figures as charts to draw: rows with their labels in the visitor's language, formatted values
and relative sizes. The templates draw them as inline SVG (no JavaScript), each with a data table."""

from __future__ import annotations

from dataclasses import dataclass, field

from market import i18n
from market.i18n import N_
from market.i18n import gettext as _
from market.impact.service import Bar, Impact, share_bps
from market.mexico import CERTIFICATIONS, LEGAL_FORMS, SDGS, state_name
from market.money import format_mxn

MONTHS = (
    N_("enero"),
    N_("febrero"),
    N_("marzo"),
    N_("abril"),
    N_("mayo"),
    N_("junio"),
    N_("julio"),
    N_("agosto"),
    N_("septiembre"),
    N_("octubre"),
    N_("noviembre"),
    N_("diciembre"),
)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: int  # centavos, or a count
    text: str  # the value as shown
    size: float  # 0..1: of the largest row (bars, columns) or of the whole (shares, stack)
    offset: float = 0.0  # where a segment of a stacked bar starts (0..1)
    organizations: int | None = None
    short: str = ""  # a column's label under the axis
    note: str = ""  # a second line under a column's label (the year)


@dataclass(frozen=True)
class Chart:
    id: str
    kind: str  # bars | shares | columns | stack
    title: str
    description: str
    label_heading: str
    value_heading: str
    rows: list[Row] = field(default_factory=list)


def money(cents: int) -> str:
    return format_mxn(cents, i18n.current_locale.get())


def percent(bps: int) -> str:
    return f"{bps / 100:.1f} %"


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{_(MONTHS[int(number) - 1])} {year}"


def _scaled(values: list[int]) -> list[float]:
    largest = max(values, default=0)
    return [v / largest if largest else 0.0 for v in values]


def _bars(
    id_: str, title: str, description: str, heading: str, bars: list[Bar], labels: dict[str, str]
) -> Chart:
    sizes = _scaled([b.value_cents for b in bars])
    return Chart(
        id=id_,
        kind="bars",
        title=title,
        description=description,
        label_heading=heading,
        value_heading=_("Dinero al sector social"),
        rows=[
            Row(
                b.key,
                labels.get(b.key, b.key),
                b.value_cents,
                money(b.value_cents),
                size,
                organizations=b.organizations,
            )
            for b, size in zip(bars, sizes, strict=True)
        ],
    )


def _columns(
    id_: str, title: str, description: str, heading: str, values: list[tuple[str, int, str]]
) -> Chart:
    sizes = _scaled([v for _month, v, _text in values])
    rows = []
    for index, ((month, value, text), size) in enumerate(zip(values, sizes, strict=True)):
        year, number = month.split("-")
        rows.append(
            Row(
                month,
                month_label(month),
                value,
                text,
                size,
                short=_(MONTHS[int(number) - 1])[:3],
                note=year if index == 0 or number == "01" else "",
            )
        )
    return Chart(id_, "columns", title, description, _("Mes"), heading, rows)


def charts(impact: Impact) -> list[Chart]:
    """Every chart of the impact page, in reading order."""
    producers, paid = impact.producer_share_cents, impact.paid_cents
    return [
        _columns(
            "por-mes",
            _("Dinero al sector social por mes"),
            _("Lo que recibieron las organizaciones productoras cada mes, después de reembolsos y comisión."),
            _("Dinero al sector social"),
            [(m.month, m.value_cents, money(m.value_cents)) for m in impact.by_month],
        ),
        Chart(
            "cada-peso",
            "stack",
            _("A dónde va cada peso"),
            _(
                "De cada peso pagado: la parte de las organizaciones productoras, la comisión de la "
                "plataforma y lo que cobran los medios de pago (estimado)."
            ),
            _("Destino"),
            _("Monto"),
            _stack(impact),
        ),
        _bars(
            "por-estado",
            _("Dinero al sector social por estado"),
            _("Lo que recibieron las organizaciones productoras de cada estado, de mayor a menor."),
            _("Estado"),
            impact.by_state,
            {b.key: state_name(b.key) for b in impact.by_state},
        ),
        _bars(
            "por-forma-juridica",
            _("Dinero al sector social por forma jurídica"),
            _("Ejidos, comunidades, cooperativas y otras formas del sector social de la economía."),
            _("Forma jurídica"),
            impact.by_legal_form,
            {code: _(label) for code, label in LEGAL_FORMS.items()},
        ),
        Chart(
            "mujeres-indigenas",
            "shares",
            _("Organizaciones lideradas por mujeres y comunidades indígenas"),
            _(
                "Parte del dinero al sector social que recibieron organizaciones donde las mujeres son al "
                "menos la mitad de las personas integrantes, y organizaciones de comunidades indígenas."
            ),
            _("Organizaciones"),
            _("Dinero al sector social"),
            [
                _share("mujeres", _("Lideradas por mujeres"), impact.women_led_cents, producers),
                _share("indigenas", _("De comunidades indígenas"), impact.indigenous_cents, producers),
            ],
        ),
        Chart(
            "institucional-consumo",
            "shares",
            _("Compras institucionales y de consumo"),
            _(
                "Lo que pagaron escuelas, hospitales, oficinas y otras instituciones, y lo que pagaron "
                "las personas."
            ),
            _("Quién compra"),
            _("Pagado"),
            [
                _share("institucional", _("Instituciones"), impact.institutional_cents, paid),
                _share("consumo", _("Personas"), impact.consumer_cents, paid),
            ],
        ),
        _columns(
            "organizaciones-activas",
            _("Organizaciones con ventas por mes"),
            _("Cuántas organizaciones productoras vendieron cada mes."),
            _("Organizaciones"),
            [(m.month, m.organizations, str(m.organizations)) for m in impact.by_month],
        ),
        _bars(
            "por-certificacion",
            _("Dinero al sector social por certificación"),
            _(
                "Una organización con varias certificaciones cuenta en cada una, así que las barras suman "
                "más que el total."
            ),
            _("Certificación"),
            impact.by_certification,
            {code: _(label) for code, label in CERTIFICATIONS.items()},
        ),
        _bars(
            "por-ods",
            _("Dinero al sector social por Objetivo de Desarrollo Sostenible"),
            _("Los ODS a los que cada organización dice contribuir; una organización cuenta en cada uno."),
            _("ODS"),
            impact.by_sdg,
            {str(n): f"{n}. {_(label)}" for n, label in SDGS.items()},
        ),
    ]


def _share(key: str, label: str, cents: int, whole: int) -> Row:
    bps = share_bps(cents, whole)
    return Row(key, label, cents, f"{percent(bps)} · {money(cents)}", bps / 10_000)


def _stack(impact: Impact) -> list[Row]:
    parts = [
        (
            "productores",
            _("Organizaciones productoras"),
            impact.producer_share_cents,
            impact.producer_share_bps,
        ),
        ("plataforma", _("Comisión de la plataforma"), impact.platform_net_cents, impact.platform_net_bps),
        ("pagos", _("Medios de pago (estimado)"), impact.payment_cost_cents, impact.payment_cost_bps),
    ]
    rows, offset = [], 0.0
    for key, label, cents, bps in parts:
        size = max(bps, 0) / 10_000
        rows.append(Row(key, label, cents, f"{percent(bps)} · {money(cents)}", size, offset))
        offset += size
    return rows
