"""Organization requests and responses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

from market.documents.schemas import BadgesPublic
from market.mexico import (
    Certification,
    Certifications,
    LegalForm,
    SdgNumber,
    SdgNumbers,
    StateCode,
    normalize_clabe,
    normalize_rfc,
)
from market.organizations.models import ChangeStatus, VerificationStatus
from market.validation import OneLine, invalid


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class OrganizationBase(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: OneLine = Field(min_length=3, max_length=160)
    legal_form: LegalForm
    rfc: str | None = None
    state: StateCode
    municipality: str = Field(min_length=2, max_length=120)
    address: str | None = Field(default=None, max_length=300)
    pickup_hours: str | None = Field(default=None, max_length=200)  # "lunes a viernes de 9:00 a 17:00"
    latitude: float | None = Field(default=None, ge=14.0, le=33.0)  # Mexico's bounding box
    longitude: float | None = Field(default=None, ge=-119.0, le=-86.0, validate_default=True)
    members_count: int = Field(default=0, ge=0, le=1_000_000)
    women_members_count: int = Field(default=0, ge=0, le=1_000_000)
    indigenous_community: str | None = Field(default=None, max_length=120)
    certifications: Certifications = Field(default_factory=list)
    sdgs: SdgNumbers = Field(default_factory=list)
    founded_year: int | None = Field(default=None, ge=1800)
    description: str = Field(default="", max_length=5000)
    contact_email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=30, pattern=r"^\+?[0-9 ()-]{8,30}$")
    clabe: str | None = None
    delivery_fee_cents: int = Field(default=0, ge=0, le=1_000_000)  # up to 10,000 pesos
    shipping_fee_cents: int = Field(default=0, ge=0, le=1_000_000)

    _blanks = field_validator(
        "rfc",
        "address",
        "pickup_hours",
        "latitude",
        "longitude",
        "indigenous_community",
        "founded_year",
        "contact_email",
        "phone",
        "clabe",
        mode="before",
    )(_blank_to_none)

    @field_validator("rfc")
    @classmethod
    def _valid_rfc(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            rfc = normalize_rfc(value)
        except ValueError:
            raise invalid(
                "rfc_invalid",
                "El RFC «{value}» no es válido: revisa las letras, la fecha y la homoclave "
                "(12 caracteres para una persona moral).",
                value=value,
            ) from None
        return rfc

    @field_validator("women_members_count")
    @classmethod
    def _women_within_members(cls, value: int, info: ValidationInfo) -> int:
        if value > info.data.get("members_count", value):
            raise invalid("women_exceed_members", "No puede haber más socias que integrantes.")
        return value

    @field_validator("longitude")
    @classmethod
    def _both_coordinates(cls, value: float | None, info: ValidationInfo) -> float | None:
        if (value is None) != (info.data.get("latitude") is None) and "latitude" in info.data:
            raise invalid("coordinates_incomplete", "Escribe la latitud y la longitud, o ninguna.")
        return value

    @field_validator("founded_year")
    @classmethod
    def _not_in_future(cls, value: int | None) -> int | None:
        if value is not None and value > date.today().year:
            raise invalid("year_in_future", "El año de fundación no puede estar en el futuro.")
        return value

    @field_validator("clabe")
    @classmethod
    def _valid_clabe(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_clabe(value)
        except ValueError:
            raise invalid(
                "clabe_invalid", "La CLABE debe tener 18 dígitos y un dígito verificador correcto."
            ) from None


class OrganizationCreate(OrganizationBase):
    pass


class OrganizationUpdate(BaseModel):
    """A partial update (API PATCH). The service merges it with the stored values and re-validates the
    whole organization, so cross-field rules still hold."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=3, max_length=160)
    legal_form: LegalForm | None = None
    rfc: str | None = None
    state: StateCode | None = None
    municipality: str | None = Field(default=None, min_length=2, max_length=120)
    address: str | None = None
    pickup_hours: str | None = Field(default=None, max_length=200)
    latitude: float | None = Field(default=None, ge=14.0, le=33.0)
    longitude: float | None = Field(default=None, ge=-119.0, le=-86.0)
    members_count: int | None = Field(default=None, ge=0, le=1_000_000)
    women_members_count: int | None = Field(default=None, ge=0, le=1_000_000)
    indigenous_community: str | None = None
    certifications: Certifications | None = None
    sdgs: SdgNumbers | None = None
    founded_year: int | None = Field(default=None, ge=1800)
    description: str | None = Field(default=None, max_length=5000)
    contact_email: str | None = None
    phone: str | None = None
    clabe: str | None = None
    delivery_fee_cents: int | None = Field(default=None, ge=0, le=1_000_000)
    shipping_fee_cents: int | None = Field(default=None, ge=0, le=1_000_000)


class OrganizationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    legal_form: LegalForm
    rfc: str | None
    state: StateCode
    municipality: str
    latitude: float | None
    longitude: float | None
    members_count: int
    women_members_count: int
    indigenous_community: str | None
    certifications: list[Certification]
    sdgs: list[SdgNumber]
    founded_year: int | None
    description: str
    logo_url: str | None = None
    verification_status: VerificationStatus
    delivery_fee_cents: int
    shipping_fee_cents: int
    pickup_hours: str | None
    badges: BadgesPublic | None = Field(
        default=None, description="Its documents as buyers see them: certifications verificada or declarada"
    )


class OrganizationPrivate(OrganizationPublic):
    """What its members (and administrators) see."""

    rejection_reason: str | None
    suspended: bool
    suspension_reason: str | None
    contact_email: str | None
    phone: str | None
    address: str | None
    clabe: str | None  # the approved one: payouts go there
    created_at: datetime
    pending_changes: dict[str, str | None] = {}  # name, RFC or CLABE waiting for an administrator


class OrganizationChangePublic(BaseModel):
    """A change of a verified organization's payout data, as administrators review it."""

    id: int
    organization_id: int
    organization_slug: str
    organization_name: str  # the live one
    requested_by_id: int
    requested_by_name: str
    current: dict[str, str | None]  # the live values of the fields that would change
    changes: dict[str, str | None]
    status: ChangeStatus
    reason: str | None
    created_at: datetime
    decided_at: datetime | None


class Decision(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)


class InvitationCreate(BaseModel):
    email: EmailStr
    role: Literal["owner", "member"] = "member"


class InvitationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: Literal["owner", "member"]
    created_at: datetime
    expires_at: datetime = Field(description="After this moment its link no longer works; invite again")


class MemberPublic(BaseModel):
    user_id: int
    name: str
    email: str
    role: Literal["owner", "member"]
    since: datetime


class RoleChange(BaseModel):
    role: Literal["owner", "member"]
