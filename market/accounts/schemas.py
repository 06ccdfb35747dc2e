"""Account requests and responses."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from market.i18n import LOCALES, N_
from market.validation import Vocabulary

MIN_PASSWORD = 10
Locale = Annotated[str, Vocabulary("Locale", LOCALES, N_("Idioma no disponible."))]


class Registration(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=120)
    email: EmailStr
    password: str = Field(min_length=MIN_PASSWORD, max_length=256)
    locale: Locale = "es_MX"

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


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
    locale: Locale
    is_admin: bool
