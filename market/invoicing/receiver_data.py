"""The fiscal data a buyer gives to be invoiced by name (see market.invoicing.receivers), checked with the
SAT's rules: the request schema (each field by itself) and `check` (what depends on several)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from satcfdi import catalogs

from market.errors import ValidationFailed
from market.i18n import N_
from market.invoicing.fiscal_profile import (
    REGIMES,
    WRONG_PERSON,
    Person,
    person_of,
    sat_legal_name,
    sat_postal_code,
)
from market.mexico import GENERIC_RFCS, normalize_rfc
from market.validation import Vocabulary, invalid

# The régimenes a receiver may have: an issuer's (fiscal_profile.REGIMES) and 616, Sin obligaciones fiscales
# (a persona física with an RFC who does not invoice may still receive a CFDI, with uso S01).
RECEIVER_REGIMES: dict[str, frozenset[Person]] = dict(
    sorted((REGIMES | {"616": frozenset({"fisica"})}).items())
)
_GOODS = frozenset({"601", "603", "606", "612", "620", "621", "622", "623", "624", "625", "626"})
_DEDUCTIONS = frozenset({"605", "606", "608", "611", "612", "614", "607", "615", "625"})
_BOTH: frozenset[Person] = frozenset({"fisica", "moral"})
# The SAT's c_UsoCFDI (catCFDI, columns "Aplica para tipo persona Física / Moral" and "Régimen Fiscal
# Receptor"), for the usos a purchase's ingreso may carry: satcfdi ships each code's name, not these columns.
# Left out: G02 (devoluciones: an egreso's), CP01 (a pago's), CN01 (nómina), P01 (no longer in CFDI 4.0).
USOS: dict[str, tuple[frozenset[Person], frozenset[str]]] = {
    "G01": (_BOTH, _GOODS),
    "G03": (_BOTH, _GOODS),
    **{f"I0{n}": (_BOTH, _GOODS) for n in range(1, 9)},
    **{f"D{n:02}": (frozenset({"fisica"}), _DEDUCTIONS) for n in range(1, 11)},
    "S01": (_BOTH, frozenset(RECEIVER_REGIMES)),
}
DEFAULT_USO = "G03"
FIELDS = ("rfc", "razon_social", "regimen_fiscal", "codigo_postal", "uso_cfdi")

GENERIC_RFC = N_(
    "{rfc} es el RFC genérico de público en general: sin tus datos fiscales tu compra ya va en la factura "
    "global del productor. Para una factura a tu nombre escribe tu propio RFC."
)
BAD_RFC = N_("El RFC no es válido: 12 caracteres para una persona moral, 13 para una persona física.")
USO_NOT_FOR_PERSON = N_("El uso {uso} es solo para personas físicas (RFC de 13 caracteres).")
USO_NOT_FOR_REGIME = N_(
    "El SAT no permite el uso {uso} con el régimen {regime}: elige otro uso (S01, sin efectos fiscales, "
    "vale con cualquiera)."
)


def _uso_label(code: str) -> str:
    return f"{code} · {catalogs.select('C756_c_UsoCFDI', code)}"


RegimenFiscalReceptor = Annotated[
    str,
    Vocabulary(
        "RegimenFiscalReceptor", RECEIVER_REGIMES, N_("Elige un régimen fiscal del catálogo del SAT.")
    ),
]
UsoCfdiIngreso = Annotated[
    str, Vocabulary("UsoCfdiIngreso", USOS, N_("Elige un uso del CFDI del catálogo del SAT."))
]
SatLegalName = Annotated[str, AfterValidator(sat_legal_name)]
SatPostalCode = Annotated[str, AfterValidator(sat_postal_code)]


class FiscalData(BaseModel):
    """The buyer's fiscal data, as its Constancia de Situación Fiscal states it."""

    model_config = ConfigDict(
        str_strip_whitespace=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rfc": "GODE561231GR8",
                    "razon_social": "EMILIANO GOMEZ DIAZ",
                    "regimen_fiscal": "612",
                    "codigo_postal": "68000",
                    "uso_cfdi": "G03",
                },
                {
                    "rfc": "CFC050312AB4",
                    "razon_social": "COOPERATIVA FLOR DE CAFE",
                    "regimen_fiscal": "601",
                    "codigo_postal": "29350",
                    "uso_cfdi": "G01",
                },
            ]
        },
    )

    rfc: str = Field(
        max_length=20,
        description="The buyer's own RFC: 12 characters for a persona moral, 13 for a física "
        "(not the generic XAXX010101000 / XEXX010101000)",
    )
    razon_social: SatLegalName = Field(
        min_length=1,
        max_length=254,
        description="Name or razón social exactly as in the Constancia, without the régimen societario; "
        "kept in upper case",
    )
    regimen_fiscal: RegimenFiscalReceptor = Field(
        description="SAT c_RegimenFiscal of the buyer: a persona moral's for an RFC of 12 characters, a "
        "física's for 13"
    )
    codigo_postal: SatPostalCode = Field(
        description="Código postal of the domicilio fiscal (SAT c_CodigoPostal)"
    )
    uso_cfdi: UsoCfdiIngreso = Field(
        default=DEFAULT_USO,
        description="SAT c_UsoCFDI, one the SAT allows for the régimen and kind of person (S01 always)",
    )

    @field_validator("rfc")
    @classmethod
    def _own_rfc(cls, value: str) -> str:
        try:
            rfc = normalize_rfc(value)
        except ValueError:
            raise invalid("receiver_rfc_invalid", BAD_RFC) from None
        if rfc in GENERIC_RFCS:
            raise invalid("receiver_rfc_generic", GENERIC_RFC, rfc=rfc)
        return rfc


def check(data: FiscalData) -> None:
    """What depends on more than one field: the régimen is of the RFC's kind of person, and the uso del CFDI
    is allowed for both. Field keys are the data's own (a caller nesting them prefixes them)."""
    person = person_of(data.rfc)
    assert person is not None
    if person not in RECEIVER_REGIMES[data.regimen_fiscal]:
        raise ValidationFailed({"regimen_fiscal": WRONG_PERSON[person]}, regime=data.regimen_fiscal)
    persons, regimes = USOS[data.uso_cfdi]
    if person not in persons:
        raise ValidationFailed({"uso_cfdi": USO_NOT_FOR_PERSON}, uso=data.uso_cfdi)
    if data.regimen_fiscal not in regimes:
        raise ValidationFailed(
            {"uso_cfdi": USO_NOT_FOR_REGIME}, uso=data.uso_cfdi, regime=data.regimen_fiscal
        )


def check_institution(
    rfc: str, razon_social: str, regimen_fiscal: str, codigo_postal: str, uso_cfdi: str
) -> None:
    """An institution's CFDI data, by the same SAT rules as a buyer's own (its schema checked the formats):
    not the generic RFC, a name without control characters, a código postal of the catalogue, a régimen of
    its kind of person and a uso allowed for both. Its name is kept as typed (institutions registered with
    their régimen societario, which the SAT will refuse, are told so by the PAC)."""
    errors: dict[str, str] = {}
    if rfc in GENERIC_RFCS:
        errors["rfc"] = GENERIC_RFC
    for field, checked, value in (
        ("razon_social", sat_legal_name, razon_social),
        ("codigo_postal", sat_postal_code, codigo_postal),
    ):
        try:
            checked(value)
        except PydanticCustomError as refused:
            if refused.type != "legal_name_regimen":
                errors[field] = refused.message()
    if errors:
        raise ValidationFailed(errors, rfc=rfc)
    check(
        FiscalData.model_construct(
            rfc=rfc,
            razon_social=razon_social,
            regimen_fiscal=regimen_fiscal,
            codigo_postal=codigo_postal,
            uso_cfdi=uso_cfdi,
        )
    )


@dataclass(frozen=True)
class FormChoices:
    """The choices of the fiscal data form: régimenes of each kind of person, and usos."""

    regimenes: list[tuple[str, str]]
    usos: list[tuple[str, str]]


def form_choices() -> FormChoices:
    return FormChoices(
        regimenes=[
            (code, f"{code} · {catalogs.select('C756_c_RegimenFiscal', code)}") for code in RECEIVER_REGIMES
        ],
        usos=[(code, _uso_label(code)) for code in USOS],
    )
