"""Account requests and responses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from market.i18n import LOCALES
from market.validation import invalid

MIN_PASSWORD = 10


class Registration(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=120)
    email: EmailStr
    password: str = Field(min_length=MIN_PASSWORD, max_length=256)
    locale: str = "es_MX"

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise invalid("locale_unknown", "Idioma no disponible.")
        return value


class Credentials(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class TokenRequest(Credentials):
    name: str = Field(default="api", min_length=1, max_length=80)


class TokenIssued(BaseModel):
    token: str
    token_type: str = "bearer"
    name: str


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    locale: str
    is_admin: bool
