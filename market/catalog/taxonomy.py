"""The controlled vocabulary of the catalog: categories and units."""

from __future__ import annotations

from typing import Annotated, NamedTuple

from market.i18n import N_
from market.validation import Vocabulary


class Category(NamedTuple):
    slug: str
    name: str
    icon: str  # a single emoji, shown where a listing has no photo


CATEGORIES: tuple[Category, ...] = (
    Category("cafe", "Café", "☕"),
    Category("miel", "Miel y productos de la colmena", "🍯"),
    Category("cacao-chocolate", "Cacao y chocolate", "🍫"),
    Category("vainilla", "Vainilla", "🌿"),
    Category("mezcal-destilados", "Mezcal y destilados", "🥃"),
    Category("maiz-granos", "Maíz, frijol y granos", "🌽"),
    Category("frutas-verduras", "Frutas y verduras", "🥑"),
    Category("alimentos-procesados", "Alimentos procesados", "🫙"),
    Category("pesca-acuacultura", "Pesca y acuacultura", "🐟"),
    Category("textiles", "Textiles", "🧵"),
    Category("artesanias", "Artesanías", "🏺"),
    Category("forestales", "Productos forestales", "🌲"),
    Category("cosmetica-natural", "Cosmética natural", "🧼"),
    Category("ecoturismo", "Ecoturismo", "🏕️"),
    Category("servicios", "Servicios", "🤝"),
)
CATEGORIES_BY_SLUG = {c.slug: c for c in CATEGORIES}

GOOD_UNITS: dict[str, str] = {
    "kg": "kilogramo",
    "g": "gramo",
    "t": "tonelada",
    "l": "litro",
    "ml": "mililitro",
    "pieza": "pieza",
    "caja": "caja",
}
SERVICE_UNITS: dict[str, str] = {"servicio": "servicio", "hora": "hora", "persona": "persona"}
UNITS: dict[str, str] = GOOD_UNITS | SERVICE_UNITS

DELIVERY_LABELS: dict[str, str] = {
    "pickup": "Recoger con la organización",
    "delivery": "Entrega local",
    "national": "Envío nacional",
}

CategorySlug = Annotated[
    str, Vocabulary("CategorySlug", CATEGORIES_BY_SLUG, N_("Elige una categoría de la lista."))
]
UnitCode = Annotated[str, Vocabulary("UnitCode", UNITS, N_("Elige una unidad de la lista."))]
ListingKind = Annotated[str, Vocabulary("ListingKind", ("good", "service"))]
DeliveryMethod = Annotated[str, Vocabulary("DeliveryMethod", DELIVERY_LABELS)]

# IVA by category (Ley del IVA, art. 2-A: most food is taxed at 0 %; alcohol, chocolate, goods and services
# at 16 %). Prices already include it; the cart shows how much of the total it is.
IVA_BPS: dict[str, int] = {
    "cafe": 0,
    "miel": 0,
    "cacao-chocolate": 1600,
    "vainilla": 0,
    "mezcal-destilados": 1600,
    "maiz-granos": 0,
    "frutas-verduras": 0,
    "alimentos-procesados": 0,
    "pesca-acuacultura": 0,
}
STANDARD_IVA_BPS = 1600


def iva_included(gross_cents: int, category: str) -> int:
    """The IVA inside a price that includes it."""
    rate = IVA_BPS.get(category, STANDARD_IVA_BPS)
    return gross_cents * rate // (10_000 + rate)
