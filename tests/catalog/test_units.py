"""A quantity reads with its unit's own plural in both languages (1 pieza / 50 piezas, 1 person / 4 people,
5 kg), and the cart's limits name themselves with it: "El pedido mínimo es de 5 kg.", "Solo quedan 50
piezas."."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from market.catalog.models import Listing
from market.catalog.taxonomy import UNITS
from market.catalog.units import SYMBOLS, quantity_text
from market.errors import InsufficientStock
from market.i18n import current_locale
from market.orders.limits import quantity_refusal

# Each word unit's singular and plural, in each language.
WORDS = {
    "es_MX": {
        "t": ("tonelada", "toneladas"),
        "l": ("litro", "litros"),
        "pieza": ("pieza", "piezas"),
        "caja": ("caja", "cajas"),
        "servicio": ("servicio", "servicios"),
        "hora": ("hora", "horas"),
        "persona": ("persona", "personas"),
    },
    "en": {
        "t": ("tonne", "tonnes"),
        "l": ("liter", "liters"),
        "pieza": ("piece", "pieces"),
        "caja": ("box", "boxes"),
        "servicio": ("service", "services"),
        "hora": ("hour", "hours"),
        "persona": ("person", "people"),
    },
}
LOCALES = sorted(WORDS)


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    token = current_locale.set(locale)
    try:
        yield
    finally:
        current_locale.reset(token)


def test_every_unit_is_a_symbol_or_a_word_with_both_forms_in_both_languages() -> None:
    for locale in LOCALES:
        assert set(WORDS[locale]) | SYMBOLS == set(UNITS)


@pytest.mark.parametrize(
    ("locale", "quantity", "unit", "expected"),
    [
        ("es_MX", 1, "pieza", "1 pieza"),
        ("es_MX", 50, "pieza", "50 piezas"),
        ("es_MX", 0, "caja", "0 cajas"),
        ("es_MX", 1, "kg", "1 kg"),
        ("es_MX", 5, "kg", "5 kg"),
        ("es_MX", 2, "hora", "2 horas"),
        ("es_MX", 1500, "persona", "1,500 personas"),
        ("en", 1, "persona", "1 person"),
        ("en", 4, "persona", "4 people"),
        ("en", 3, "caja", "3 boxes"),
        ("en", 750, "ml", "750 ml"),
        ("en", 1, "servicio", "1 service"),
    ],
)
def test_a_quantity_reads_with_its_units_plural(locale: str, quantity: int, unit: str, expected: str) -> None:
    with speaking(locale):
        assert quantity_text(quantity, unit) == expected


@given(
    quantity=st.integers(min_value=0, max_value=10**12),
    unit=st.sampled_from(sorted(UNITS)),
    locale=st.sampled_from(LOCALES),
)
def test_the_singular_is_for_one_and_the_plural_for_any_other_number(
    quantity: int, unit: str, locale: str
) -> None:
    with speaking(locale):
        text = quantity_text(quantity, unit)
    number = format_decimal(quantity, locale=locale)
    if unit in SYMBOLS:
        assert text == f"{number} {unit}"
    else:
        singular, plural = WORDS[locale][unit]
        assert text == f"{number} {singular if quantity == 1 else plural}"


def listing(unit: str, minimum_order: int, stock: int | None) -> Listing:
    return Listing(
        organization_id=1, slug="x", title="X", category="cafe", unit=unit, price_cents=100,
        minimum_order=minimum_order, stock=stock,
    )  # fmt: skip


@given(
    minimum=st.integers(min_value=1, max_value=1000),
    stock=st.none() | st.integers(min_value=0, max_value=1000),
    total=st.integers(min_value=1, max_value=2000),
    unit=st.sampled_from(sorted(UNITS)),
    locale=st.sampled_from(LOCALES),
)
def test_the_cart_refuses_exactly_what_the_listing_does_not_allow_and_names_the_limit(
    minimum: int, stock: int | None, total: int, unit: str, locale: str
) -> None:
    with speaking(locale):
        refusal = quantity_refusal(listing(unit, minimum, stock), total)
        minimum_text = quantity_text(minimum, unit)
        stock_text = quantity_text(stock, unit) if stock else None
    if total < minimum:
        assert refusal is not None and refusal.endswith(f" {minimum_text}.")
    elif stock is not None and total > stock:
        assert refusal is not None
        assert refusal in ("Se agotó.", "Sold out.") if stock == 0 else f" {stock_text}" in refusal
    else:
        assert refusal is None


@pytest.mark.parametrize(
    ("locale", "minimum", "stock", "total", "in_cart", "expected"),
    [
        ("es_MX", 5, None, 2, 0, "El pedido mínimo es de 5 kg."),
        ("en", 5, None, 2, 0, "The minimum order is 5 kg."),
        ("es_MX", 1, 50, 60, 0, "Solo quedan 50 kg."),
        ("es_MX", 1, 1, 2, 0, "Solo queda 1 kg."),
        ("en", 1, 1, 2, 0, "Only 1 kg left."),
        ("es_MX", 1, 5, 7, 4, "Solo quedan 5 kg y ya tienes 4 kg en tu carrito."),
        ("en", 1, 5, 7, 4, "Only 5 kg left, and you already have 4 kg in your cart."),
        ("es_MX", 1, 0, 1, 0, "Se agotó."),
    ],
)
def test_the_refusals_read_in_both_languages(
    locale: str, minimum: int, stock: int | None, total: int, in_cart: int, expected: str
) -> None:
    with speaking(locale):
        assert quantity_refusal(listing("kg", minimum, stock), total, in_cart) == expected


@pytest.mark.parametrize(
    ("locale", "available", "unit", "expected"),
    [
        ("es_MX", 1, "pieza", "Solo queda 1 pieza de «Jarro»."),
        ("es_MX", 50, "pieza", "Solo quedan 50 piezas de «Jarro»."),
        ("en", 1, "pieza", "Only 1 piece left of “Jarro”."),
        ("en", 3, "caja", "Only 3 boxes left of “Jarro”."),
        ("en", 4, "persona", "Only 4 people left of “Jarro”."),
    ],
)
def test_a_shortage_at_checkout_names_what_is_left(
    locale: str, available: int, unit: str, expected: str
) -> None:
    shortage = InsufficientStock(available=available, unit=unit, title="Jarro")
    with speaking(locale):
        assert shortage.detail == expected
