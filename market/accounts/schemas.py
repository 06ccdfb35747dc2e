"""Account requests and responses."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator

from market.i18n import LOCALES
from market.validation import invalid

MIN_PASSWORD = 10
MAX_PASSWORD = 256
MAX_LINK_TOKEN = 200
# The rules of a password someone chooses, at registration and whenever it changes.
NewPassword = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)
]


class Registration(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=120)
    email: EmailStr
    password: NewPassword
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
    password: str = Field(max_length=MAX_PASSWORD)


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
    email_confirmed: bool


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: EmailStr

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class PasswordReset(BaseModel):
    token: str = Field(min_length=1, max_length=MAX_LINK_TOKEN)
    password: NewPassword


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=MAX_PASSWORD)
    password: NewPassword


class EmailConfirmation(BaseModel):
    token: str = Field(min_length=1, max_length=MAX_LINK_TOKEN)


class Notice(BaseModel):
    """What happened, in the person's language."""

    detail: str
