"""Account requests and responses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)

from market.i18n import LOCALES, N_
from market.urls import MAX_SITE_PATH, is_site_path
from market.validation import OneLine, Vocabulary, invalid

MIN_PASSWORD = 10
MAX_PASSWORD = 256
MAX_LINK_TOKEN = 200
# The rules of a password someone chooses, at registration and whenever it changes.
NewPassword = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)
]
Locale = Annotated[str, Vocabulary("Locale", LOCALES, N_("Idioma no disponible."))]
# Why someone opens an account: to buy (the default), or for a producer organization they represent.
BUY, SELL = "buy", "sell"
Intent = Annotated[
    str,
    Vocabulary(
        "RegistrationIntent",
        (BUY, SELL),
        N_("Elige si quieres comprar o si representas a una organización productora."),
    ),
]


def _site_path(value: str) -> str:
    if not is_site_path(value):
        raise invalid("site_path", "Escribe una dirección de este sitio, que empiece con «/».")
    return value


# Where to send the person back to: a path of this site only, never another site's address.
SitePath = Annotated[str, Field(max_length=MAX_SITE_PATH), AfterValidator(_site_path)]


class Registration(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: OneLine = Field(min_length=2, max_length=120)
    email: EmailStr
    password: NewPassword
    locale: Locale = "es_MX"
    intent: Intent = BUY
    # The page the person was on (a cart, a listing): where a buyer returns after registering and confirming.
    next: SitePath | None = None

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class Credentials(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=MAX_PASSWORD)


class TokenRequest(Credentials):
    name: str = Field(default="api", min_length=1, max_length=80)
    # At most the platform's limit (API_TOKEN_DAYS), which is also the lifetime when none is asked for.
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenIssued(BaseModel):
    id: int
    token: str  # shown this once: only its hash is kept
    token_type: str = "bearer"
    name: str
    expires_at: datetime


class TokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    current: bool = False  # the token this request was sent with


class SignedOutPublic(BaseModel):
    user_id: int
    sessions_ended: int
    tokens_revoked: int


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    locale: Locale
    is_admin: bool
    email_confirmed: bool


class RegistrationPublic(UserPublic):
    next: str  # where to take the person now: back to `next` (or the catalogue), or to register their org


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
