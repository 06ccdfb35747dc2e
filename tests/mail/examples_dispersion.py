"""What a rejected transfer of a dispersion file is queued with (market.payments.dispersion.apply_result)."""

from __future__ import annotations

from typing import Any

EXAMPLES: dict[str, dict[str, Any]] = {
    "payout_failed": {
        "link": "/panel/o/cafe-de-la-sierra/saldo",
        "organization": "Café de la Sierra",
        "amount_cents": 27600,
        "clabe_end": "7771",
        "reason": "CUENTA INEXISTENTE",
    },
}
