"""What the daily digest is queued with (market/mail/digest.py), for tests/mail/test_kinds.py."""

from __future__ import annotations

from typing import Any

EXAMPLES: dict[str, dict[str, Any]] = {
    "digest": {
        "link": "/panel",
        "count": 3,
        "day": "2026-12-06",
        "groups": [
            {
                "topic": "orders",
                "items": [
                    {"kind": "new_order", "subject": "Pedido nuevo: 12 kg de café", "link": "/panel"},
                    {"kind": "part_news", "subject": None, "link": None},
                ],
            },
            {
                "topic": "messages",
                "items": [{"kind": "new_message", "subject": "Mensaje de Ana", "link": "/panel"}],
            },
        ],
    },
}
