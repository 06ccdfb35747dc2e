"""What the account's messages are queued with, for tests/mail/test_kinds.py."""

from __future__ import annotations

from typing import Any

EXAMPLES: dict[str, dict[str, Any]] = {
    "email_confirmation": {"link": "/correo/confirmar/un-secreto", "days": 3},
    "password_reset": {"link": "/contrasena/nueva/un-secreto", "minutes": 60},
    "test": {"link": None, "sent_at": "2026-12-06T16:30:00+00:00"},
}
