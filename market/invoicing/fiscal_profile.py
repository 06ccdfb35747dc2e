"""A producer's fiscal data, as its invoices (CFDI 4.0) name it: the RFC (the organization's own, whose change
a verified organization's owners ask the administrators for), the razón social exactly as its Constancia de
Situación Fiscal writes it, its régimen fiscal and the código postal of its domicilio fiscal. An owner edits
them directly: the PAC checks them against the SAT's records when an invoice is stamped."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from satcfdi import catalogs
from sqlmodel import Session

from market.accounts.models import User
from market.errors import ValidationFailed
from market.i18n import N_
from market.invoicing import csd_store
from market.invoicing.csd_store import CsdPublic
from market.organizations.models import Organization
from market.organizations.service import require_owner, role_in
from market.validation import invalid

Person = Literal["moral", "fisica"]

# The SAT's c_RegimenFiscal (catCFDI, columns "Física" and "Moral"): which régimen a persona moral (RFC of
# 12 characters) or física (13) may have. satcfdi ships the codes and names, not these two columns. Left
# out: 609 (Consolidación, ended in 2019) and 616 (Sin obligaciones fiscales: whoever has it does not
# invoice).
REGIMES: dict[str, frozenset[Person]] = {
    "601": frozenset({"moral"}),
    "603": frozenset({"moral"}),
    "605": frozenset({"fisica"}),
    "606": frozenset({"fisica"}),
    "607": frozenset({"fisica"}),
    "608": frozenset({"fisica"}),
    "610": frozenset({"fisica", "moral"}),
    "611": frozenset({"fisica"}),
    "612": frozenset({"fisica"}),
    "614": frozenset({"fisica"}),
    "615": frozenset({"fisica"}),
    "620": frozenset({"moral"}),
    "621": frozenset({"fisica"}),
    "622": frozenset({"moral"}),
    "623": frozenset({"moral"}),
    "624": frozenset({"moral"}),
    "625": frozenset({"fisica"}),
    "626": frozenset({"fisica", "moral"}),
    "628": frozenset({"moral"}),
    "629": frozenset({"fisica"}),
    "630": frozenset({"fisica"}),
}

NO_RFC = N_(
    "Primero registra el RFC de la organización (en «Editar datos»): el régimen fiscal y el CSD "
    "dependen de él."
)
WRONG_PERSON = {
    "moral": N_(
        "El régimen {regime} es de personas físicas y el RFC de 12 caracteres es de una persona moral."
    ),
    "fisica": N_(
        "El régimen {regime} es de personas morales y el RFC de 13 caracteres es de una persona física."
    ),
}

# The régimen societario a razón social carries in the deed but not in the Constancia nor in a CFDI 4.0:
# "S.C. de R.L. de C.V.", "S.A. de C.V.", "S.P.R. de R.L.", "A.C."...
_ABBREVIATION = (
    r"(?:S\.?\s?A\.?\s?P\.?\s?I|S\.?\s?P\.?\s?R|S\.?\s?S\.?\s?S|S\.?\s?A|S\.?\s?C|A\.?\s?C"
    r"|I\.?\s?A\.?\s?P)\.?"
)
_TAIL = r"(?:\s+DE\s+(?:R\.?\s?L|R\.?\s?S|R\.?\s?I|C\.?\s?V)\.?)*"
REGIMEN_SOCIETARIO = re.compile(
    rf"(?:,|\s)\s*(?:{_ABBREVIATION}|S\.?\s?DE\s+R\.?\s?L\.?|SOCIEDAD\s+COOPERATIVA\s+DE\s+R\.?\s?L\.?){_TAIL}\s*$"
)


def person_of(rfc: str | None) -> Person | None:
    """A persona moral's RFC has 12 characters, a persona física's 13."""
    if not rfc:
        return None
    return "moral" if len(rfc) == 12 else "fisica"


def regime_name(code: str | None) -> str | None:
    return catalogs.select("C756_c_RegimenFiscal", code) if code else None


def regime_options(rfc: str | None) -> list[tuple[str, str]]:
    """(code, "601 · General de Ley Personas Morales") for each régimen the RFC's kind of person may have."""
    person = person_of(rfc)
    return [
        (code, f"{code} · {regime_name(code)}")
        for code, persons in REGIMES.items()
        if person is None or person in persons
    ]


def sat_legal_name(value: str) -> str:
    """A razón social as the Constancia (and a CFDI 4.0) writes it: upper case, single spaces, without the
    régimen societario."""
    if not value.isprintable():  # a control or bidi character would break the CFDI's XML, or mislead
        raise invalid(
            "legal_name_control", "Escribe la razón social en una sola línea, sin caracteres de control."
        )
    name = " ".join(value.upper().split())
    if REGIMEN_SOCIETARIO.search(name):
        raise invalid(
            "legal_name_regimen",
            "Escribe la razón social sin el régimen societario (por ejemplo, sin «S.C. de R.L. de "
            "C.V.»), tal como aparece en tu Constancia de Situación Fiscal.",
        )
    return name


def sat_postal_code(value: str) -> str:
    """A código postal of the SAT's c_CodigoPostal (the domicilio fiscal's, as a CFDI names it)."""
    if not re.fullmatch(r"\d{5}", value) or catalogs.select("C756_c_CodigoPostal", value) is None:
        raise invalid(
            "postal_code_unknown",
            "El código postal «{value}» no está en el catálogo del SAT: escribe los 5 dígitos del "
            "domicilio fiscal de tu Constancia de Situación Fiscal.",
            value=value[:10],
        )
    return value


class FiscalProfileUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    legal_name: str = Field(
        min_length=1,
        max_length=254,
        description="Razón social exactly as in the Constancia de Situación Fiscal, without the régimen "
        "societario (S.C. de R.L. de C.V.); kept in upper case",
    )
    tax_regime: str = Field(
        description="SAT c_RegimenFiscal code, e.g. 601; one of a persona moral's for "
        "an RFC of 12 characters, of a persona física's for 13"
    )
    postal_code: str = Field(description="Código postal of the domicilio fiscal (SAT c_CodigoPostal)")

    @field_validator("legal_name")
    @classmethod
    def _as_the_sat_writes_it(cls, value: str) -> str:
        return sat_legal_name(value)

    @field_validator("tax_regime")
    @classmethod
    def _in_the_catalogue(cls, value: str) -> str:
        if value not in REGIMES:
            raise invalid(
                "tax_regime_unknown",
                "«{value}» no es un régimen fiscal del catálogo del SAT con el que se pueda facturar.",
                value=value[:10],
            )
        return value

    @field_validator("postal_code")
    @classmethod
    def _a_real_postal_code(cls, value: str) -> str:
        return sat_postal_code(value)


class FiscalProfilePublic(BaseModel):
    """What an organization's members see of its fiscal data (its CSD: market.invoicing.csd_store)."""

    rfc: str | None
    person: Person | None = Field(description="moral (RFC of 12 characters) or fisica (13)")
    legal_name: str | None
    tax_regime: str | None
    tax_regime_name: str | None
    postal_code: str | None
    complete: bool = Field(description="Everything an invoice needs of the issuer, CSD apart")


class FiscalState(FiscalProfilePublic):
    """The organization's fiscal data and CSD, for its members."""

    csd: CsdPublic | None
    may_edit: bool = Field(description="The person is an owner: only owners change these or upload a CSD")


def state_of(session: Session, user: User, organization: Organization) -> FiscalState:
    """For the organization's members (callers reach it through organizations.service.get_managed)."""
    stored = csd_store.public_of(session, csd_store.current(session, organization))
    return FiscalState(
        **profile_of(organization).model_dump(),
        csd=stored,
        may_edit=role_in(session, user, organization) == "owner",
    )


def profile_of(organization: Organization) -> FiscalProfilePublic:
    return FiscalProfilePublic(
        rfc=organization.rfc,
        person=person_of(organization.rfc),
        legal_name=organization.legal_name,
        tax_regime=organization.tax_regime,
        tax_regime_name=regime_name(organization.tax_regime),
        postal_code=organization.fiscal_postal_code,
        complete=is_complete(organization),
    )


def is_complete(organization: Organization) -> bool:
    """The issuer's part of an invoice is all there (and its régimen fits its RFC, which may have changed
    since)."""
    person = person_of(organization.rfc)
    return bool(
        person
        and organization.legal_name
        and organization.fiscal_postal_code
        and person in REGIMES.get(organization.tax_regime or "", frozenset())
    )


def save(session: Session, user: User, organization: Organization, data: FiscalProfileUpdate) -> None:
    """An owner's fiscal data for the organization; the régimen must be one of its kind of person."""
    require_owner(session, user, organization)
    person = person_of(organization.rfc)
    if person is None:
        raise ValidationFailed({"rfc": NO_RFC})
    if person not in REGIMES[data.tax_regime]:
        raise ValidationFailed({"tax_regime": WRONG_PERSON[person]}, regime=data.tax_regime)
    organization.legal_name = data.legal_name
    organization.tax_regime = data.tax_regime
    organization.fiscal_postal_code = data.postal_code
    session.add(organization)
