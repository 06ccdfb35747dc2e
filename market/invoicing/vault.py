"""Secrets the marketplace keeps for producers (their CSD's private key and its password), encrypted at rest
with Fernet (AES-128-CBC + HMAC-SHA256) under INVOICING_KEY, so that a copy of the database alone opens
nothing."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from market.config import Settings
from market.errors import Conflict


class SealedSecretUnreadable(Conflict):
    code = "csd_unreadable"
    message = (
        "No pudimos abrir el CSD guardado (cambió la llave de cifrado del sitio): vuelve a subir el .cer, "
        "el .key y la contraseña."
    )


def seal(settings: Settings, secret: bytes) -> bytes:
    return Fernet(settings.invoicing_fernet_key).encrypt(secret)


def unseal(settings: Settings, token: bytes) -> bytes:
    try:
        return Fernet(settings.invoicing_fernet_key).decrypt(token)
    except InvalidToken:
        raise SealedSecretUnreadable() from None
