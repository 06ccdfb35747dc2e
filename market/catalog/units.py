"""A quantity with its unit, as a person reads it in either language: "1 pieza", "50 piezas", "5 kg",
"1 hour", "4 people". Symbols (kg, g, ml) are the same in both languages and never take an "s"; every
other unit is a word with its plural form, chosen by the catalogue's plural rule, never by adding an "s"."""

from __future__ import annotations

from babel.numbers import format_decimal

from market.i18n import current_locale, ngettext

SYMBOLS = frozenset({"kg", "g", "ml"})


def _words(unit: str, n: int) -> str | None:
    """The unit's phrase with a `%(num)s` slot, in the person's language (one ngettext call per unit, so
    that each one is extracted for translation with both of its forms)."""
    match unit:
        case "t":
            return ngettext("%(num)s tonelada", "%(num)s toneladas", n)
        case "l":
            return ngettext("%(num)s litro", "%(num)s litros", n)
        case "pieza":
            return ngettext("%(num)s pieza", "%(num)s piezas", n)
        case "caja":
            return ngettext("%(num)s caja", "%(num)s cajas", n)
        case "servicio":
            return ngettext("%(num)s servicio", "%(num)s servicios", n)
        case "hora":
            return ngettext("%(num)s hora", "%(num)s horas", n)
        case "persona":
            return ngettext("%(num)s persona", "%(num)s personas", n)
    return None


def quantity_text(quantity: int, unit: str) -> str:
    """`quantity` of `unit`, its number grouped as the language writes it (1,000)."""
    number = format_decimal(quantity, locale=current_locale.get())
    phrase = _words(unit, quantity)
    if phrase is None:  # a symbol, or a unit from before the vocabulary: shown as it is
        return f"{number} {unit}"
    return phrase % {"num": number}
