"""Spanish for search: stop words and synonyms for Mexican product words, shared by both engines.

Meilisearch has no stemming, so plurals and regional names are listed here; both sides of each entry
find each other."""

from __future__ import annotations

import re
import unicodedata

STOP_WORDS: tuple[str, ...] = (
    "a",
    "al",
    "con",
    "de",
    "del",
    "e",
    "el",
    "en",
    "la",
    "las",
    "lo",
    "los",
    "o",
    "para",
    "por",
    "su",
    "sus",
    "u",
    "un",
    "una",
    "unas",
    "unos",
    "y",
)

# Groups of words a buyer may use for the same thing (accents are ignored by both engines).
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("frijol", "frijoles", "frejol", "alubia"),
    ("mezcal", "mezcales"),
    ("banquete", "banquetes", "catering", "comida para eventos"),
    ("cdmx", "ciudad de mexico", "df"),
    ("edomex", "estado de mexico"),
    ("miel", "mieles"),
    ("melipona", "abeja nativa", "xunan kab"),
    ("chocolate", "chocolates"),
    ("artesania", "artesanias"),
    ("textil", "textiles", "bordado", "bordados"),
    ("huipil", "huipiles"),
    ("rebozo", "rebozos"),
    ("jabon", "jabones"),
    ("tortilla", "tortillas"),
    ("tostada", "tostadas"),
    ("salsa", "salsas"),
    ("nopal", "nopales"),
    ("aguacate", "aguacates", "palta"),
    ("jitomate", "jitomates", "tomate rojo"),
    ("elote", "elotes", "maiz tierno"),
    ("maiz", "maices"),
    ("organico", "organicos", "organica", "organicas"),
    ("cafe", "cafes"),
    ("grano", "granos"),
    ("cacao", "cacaos"),
    ("queso", "quesos"),
    ("mueble", "muebles"),
    ("ecoturismo", "turismo comunitario", "turismo rural"),
    ("cabana", "cabanas"),
    ("limpieza", "aseo"),
)


def synonyms_map() -> dict[str, list[str]]:
    """Meilisearch's `synonyms` setting: every member of a group points to the others."""
    mapping: dict[str, list[str]] = {}
    for group in SYNONYM_GROUPS:
        for word in group:
            mapping[word] = [other for other in group if other != word]
    return mapping


_WORD = re.compile(r"[0-9a-zñ]+")


def fold(text: str) -> str:
    """Lower case without accents ("Café Ñuu" -> "cafe nuu"), as both engines compare words."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ñ", "\x00"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("\x00", "ñ")


def words(text: str) -> list[str]:
    """The searchable words of a query, folded, without stop words."""
    return [w for w in _WORD.findall(fold(text)) if w not in STOP_WORDS]
