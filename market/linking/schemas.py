"""Requests of the linking domain: an institution's fiscal data, a demand, a quote, an award."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from market.bounds import MAX_PRICE_CENTS, MAX_QUANTITY, Id
from market.catalog.taxonomy import CategorySlug, UnitCode
from market.i18n import N_
from market.mexico import Certifications, LegalForms, StateCode, normalize_rfc
from market.validation import OneLine, Vocabulary, invalid

BUYER_KINDS = {
    "government": "Gobierno",
    "school": "Escuela",
    "hospital": "Hospital o clínica",
    "company": "Empresa",
    "cooperative": "Cooperativa",
    "ngo": "Organización civil",
}
# SAT catalogues (CFDI 4.0): the fiscal regimes and uses an institution buying goods would declare.
REGIMENES_FISCALES = {
    "601": "General de Ley Personas Morales",
    "603": "Personas Morales con Fines no Lucrativos",
    "605": "Sueldos y Salarios e Ingresos Asimilados a Salarios",
    "606": "Arrendamiento",
    "612": "Personas Físicas con Actividades Empresariales y Profesionales",
    "620": "Sociedades Cooperativas de Producción que optan por diferir sus ingresos",
    "621": "Incorporación Fiscal",
    "622": "Actividades Agrícolas, Ganaderas, Silvícolas y Pesqueras",
    "623": "Opcional para Grupos de Sociedades",
    "624": "Coordinados",
    "626": "Régimen Simplificado de Confianza",
}
USOS_CFDI = {
    "G01": "Adquisición de mercancías",
    "G03": "Gastos en general",
    "I08": "Otra maquinaria y equipo",
    "S01": "Sin efectos fiscales",
}
FREQUENCIES = {7: "Cada semana", 14: "Cada dos semanas", 30: "Cada mes"}
MAX_DELIVERIES = 52

BuyerKind = Annotated[
    str, Vocabulary("BuyerKind", BUYER_KINDS, N_("Elige un tipo de institución de la lista."))
]
RegimenFiscal = Annotated[
    str, Vocabulary("RegimenFiscal", REGIMENES_FISCALES, N_("Elige un régimen fiscal del catálogo del SAT."))
]
UsoCfdi = Annotated[str, Vocabulary("UsoCfdi", USOS_CFDI, N_("Elige un uso del CFDI del catálogo del SAT."))]
DeliveryFrequency = Annotated[
    int, Vocabulary("DeliveryFrequency", FREQUENCIES, N_("Elige cada semana, cada dos semanas o cada mes."))
]
DemandVisibility = Annotated[str, Vocabulary("DemandVisibility", ("public", "invited"))]
MAX_APPROVAL_THRESHOLD_CENTS = 10**13  # a hundred thousand million pesos: beyond any school's budget


def _partida_code(value: object) -> object:
    """A code of the Clasificador por Objeto del Gasto: a partida of 4 digits (2211, as the states and many
    offices use it) or 5 (22101, the federal partida específica); its first digit is the capítulo (1 to 9).
    A number is read as its digits; any other type is left to the field's own type error."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return value
    code = value.strip().replace(" ", "")
    if not code:
        return None
    if not (code.isascii() and code.isdigit() and len(code) in (4, 5) and code[0] != "0"):
        raise invalid(
            "partida_invalid",
            "La partida es la clave de 4 o 5 dígitos del Clasificador por Objeto del Gasto, como 2211.",
        )
    return code


PartidaCode = Annotated[str | None, BeforeValidator(_partida_code)]


class BuyerOrganizationCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: OneLine = Field(min_length=3, max_length=160)
    kind: BuyerKind
    rfc: str
    razon_social: str = Field(min_length=3, max_length=254)
    regimen_fiscal: RegimenFiscal
    codigo_postal: str
    uso_cfdi: UsoCfdi = "G03"
    state: StateCode
    municipality: str = Field(min_length=2, max_length=120)

    @field_validator("rfc")
    @classmethod
    def _rfc(cls, value: str) -> str:
        try:
            return normalize_rfc(value)
        except ValueError:
            raise invalid(
                "buyer_rfc_invalid", "El RFC no es válido: 12 caracteres para una persona moral."
            ) from None

    @field_validator("codigo_postal")
    @classmethod
    def _postal_code(cls, value: str) -> str:
        if len(value) != 5 or not (value.isascii() and value.isdigit()):
            raise invalid("postal_code_invalid", "El código postal tiene 5 dígitos.")
        return value


class DemandCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    title: str = Field(min_length=5, max_length=140)
    description: str = Field(default="", max_length=5000)
    category: CategorySlug
    quantity: int = Field(gt=0, le=MAX_QUANTITY)
    unit: UnitCode
    delivery_state: StateCode
    delivery_municipality: str = Field(min_length=2, max_length=120)
    delivery_address: str = Field(min_length=5, max_length=300)
    first_delivery: date
    every_days: DeliveryFrequency | None = None
    deliveries: int = Field(default=1, ge=1, le=MAX_DELIVERIES)
    quote_deadline: datetime
    max_unit_price_cents: int | None = Field(default=None, gt=0, le=MAX_PRICE_CENTS)
    required_certifications: Certifications = Field(default_factory=list)
    preferred_legal_forms: LegalForms = Field(default_factory=list)
    women_led_only: bool = False
    max_distance_km: int | None = Field(default=None, ge=1, le=3000)
    visibility: DemandVisibility = "public"
    invited_organization_ids: list[Id] = Field(default_factory=list, max_length=50)
    partida_code: PartidaCode = Field(default=None, max_length=5, examples=["2211"])
    partida_description: OneLine = Field(default="", max_length=120)

    @field_validator("first_delivery")
    @classmethod
    def _within_two_years(cls, value: date) -> date:
        # A schedule is planned within a budget year or two; a far date would also run past the calendar.
        if value > date.today() + timedelta(days=2 * 366):
            raise invalid("delivery_too_far", "La primera entrega debe caer dentro de los próximos dos años.")
        return value

    @field_validator("quote_deadline")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @model_validator(mode="after")
    def _schedule(self) -> DemandCreate:
        if (self.every_days is None) != (self.deliveries == 1):
            raise invalid(
                "schedule_incomplete",
                "Una entrega recurrente necesita frecuencia y número de entregas.",
                field="every_days" if self.every_days is None else "deliveries",
            )
        if self.first_delivery < self.quote_deadline.date():
            raise invalid(
                "delivery_before_deadline",
                "La primera entrega debe ser después del cierre de cotizaciones.",
                field="first_delivery",
            )
        return self

    @model_validator(mode="after")
    def _partida(self) -> DemandCreate:
        if self.partida_description and not self.partida_code:
            raise invalid(
                "partida_code_missing",
                "Escribe también la clave de la partida, como 2211.",
                field="partida_code",
            )
        return self


class PurchasingSettings(BaseModel):
    """How an institution buys: whether each demand must name its partida, and the amount (centavos, over
    every delivery of an award) above which an award waits for a second owner's approval (None: never)."""

    model_config = ConfigDict(extra="forbid")

    partida_required: bool = False
    approval_threshold_cents: int | None = Field(default=None, gt=0, le=MAX_APPROVAL_THRESHOLD_CENTS)


class ApprovalDecision(BaseModel):
    """An owner's refusal of a pending award says why, for whoever proposed it."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    reason: str = Field(min_length=3, max_length=1000)


class QuoteCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    unit_price_cents: int = Field(gt=0, le=MAX_PRICE_CENTS)
    quantity: int = Field(gt=0, le=MAX_QUANTITY)
    delivery_note: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=2000)


class Allocation(BaseModel):
    quote_id: Id
    quantity: int = Field(gt=0, le=MAX_QUANTITY)


class AwardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allocations: list[Allocation] = Field(min_length=1, max_length=100)


class MessageCreate(BaseModel):
    body: str = Field(min_length=1, max_length=4000)
