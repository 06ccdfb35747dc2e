"""Money is integer centavos (MXN). Parsing, formatting and fee arithmetic live here."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency

CURRENCY = "MXN"
_PESOS = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


def format_mxn(cents: int, locale: str = "es_MX") -> str:
    """`18550` -> `$185.50` (es_MX) or `MX$185.50` (en)."""
    return format_currency(Decimal(cents) / 100, CURRENCY, locale=locale)


def parse_pesos(text: str) -> int:
    """Parse what a person types as a price in pesos ("1,250.50", "$99", "12.5") into centavos.

    Raises ValueError for anything else (letters, negatives, more than two decimals)."""
    cleaned = text.strip().replace(" ", "")
    if not _PESOS.match(cleaned):
        raise ValueError(text)
    try:
        pesos = Decimal(cleaned.lstrip("$").replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex already excludes this
        raise ValueError(text) from exc
    return int(pesos * 100)


def cents_to_pesos(cents: int) -> Decimal:
    """Pesos as an exact number, for CSV exports: 18550 -> Decimal("185.50"), -27600 -> Decimal("-276.00")."""
    return Decimal(cents).scaleb(-2)


def cents_to_pesos_text(cents: int) -> str:
    """Plain text for form fields and CSV: 18550 -> "185.50"."""
    return f"{Decimal(cents) / 100:.2f}"


def apply_bps(cents: int, bps: int) -> int:
    """Basis-point share of an amount, rounded half up to the centavo (800 bps = 8 %)."""
    return int((Decimal(cents) * bps / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
