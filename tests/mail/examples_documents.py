"""What the messages of supplier documents are queued with, for tests/mail/test_kinds.py; VARIANTS are the
other branches of their template."""

from __future__ import annotations

from typing import Any

EXAMPLES: dict[str, dict[str, Any]] = {
    "supplier_document": {
        "link": "/panel/o/cafe-de-la-sierra/documentos",
        "organization": "Café de la Sierra",
        "event": "rejected",
        "document": "Opinión de Cumplimiento (32-D)",
        "expires_on": "05/01/2027",
        "reason": "La opinión es de otro RFC.",
    },
}
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("supplier_document", EXAMPLES["supplier_document"] | {"event": event, "days": days})
    for event, days in (("approved", 40), ("expiring", 3), ("expired", -1))
]
