"""The controlled vocabulary of the catalog: categories and units."""

from __future__ import annotations

from typing import Annotated, NamedTuple

from market.i18n import N_
from market.validation import Vocabulary


class Category(NamedTuple):
    slug: str
    name: str
    icon: str  # a single emoji, shown where a listing has no photo
    # The SAT's c_ClaveProdServ suggested for a new listing of the category (its description in the
    # catalogue after the code); the producer may choose a closer one (market/catalog/sat_keys.py).
    sat_product_key: str


CATEGORIES: tuple[Category, ...] = (
    Category("cafe", "Café", "☕", "50201706"),  # Café
    Category("miel", "Miel y productos de la colmena", "🍯", "50192403"),  # Miel
    Category("cacao-chocolate", "Cacao y chocolate", "🍫", "50161511"),  # Chocolate o sustituto de ...
    Category("vainilla", "Vainilla", "🌿", "50171550"),  # Especies o extractos
    Category("mezcal-destilados", "Mezcal y destilados", "🥃", "50202206"),  # Licor destilado
    Category("maiz-granos", "Maíz, frijol y granos", "🌽", "50221001"),  # Granos
    # "Frutas Nominant": fruits without a key of their own. Each fruit and vegetable has its own key
    # (aguacates 50401700, tomates 50406500...): the catalogue has none for fresh produce as a whole.
    Category("frutas-verduras", "Frutas y verduras", "🥑", "50307000"),
    # "Mermeladas y gelatinas y pastas de untar de nuez y dulce y conservas de fruta"
    Category("alimentos-procesados", "Alimentos procesados", "🫙", "50192400"),
    Category("pesca-acuacultura", "Pesca y acuacultura", "🐟", "50121500"),  # Pescado
    Category("textiles", "Textiles", "🧵", "53102200"),  # Ropa folclórica
    Category("artesanias", "Artesanías", "🏺", "60124102"),  # Productos de artesanía multicultural
    Category("forestales", "Productos forestales", "🌲", "11121600"),  # Madera
    Category("cosmetica-natural", "Cosmética natural", "🧼", "53131619"),  # Cosméticos
    Category("ecoturismo", "Ecoturismo", "🏕️", "90121501"),  # Servicios de organización de excursiones
    Category("servicios", "Servicios", "🤝", "93141904"),  # Servicios de cooperativas agrícolas o rurales
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
# Each unit's c_ClaveUnidad in the SAT's catalogue, suggested for a new listing.
SAT_UNIT_KEYS: dict[str, str] = {
    "kg": "KGM",  # Kilogramo
    "g": "GRM",  # Gramo
    "t": "TNE",  # Tonelada (tonelada métrica)
    "l": "LTR",  # Litro
    "ml": "MLT",  # Mililitro
    "pieza": "H87",  # Pieza
    "caja": "XBX",  # Caja
    "servicio": "E48",  # Unidad de servicio
    "hora": "HUR",  # Hora
    "persona": "IE",  # Personas
}
# For rows from before the vocabulary (a category or unit it no longer has): the catalogue's own "not in
# the catalogue" product key, and a piece (a service unit for a service).
FALLBACK_SAT_PRODUCT_KEY = "01010101"
FALLBACK_SAT_UNIT_KEYS = {"good": "H87", "service": "E48"}

DELIVERY_LABELS: dict[str, str] = {
    "pickup": "Recoger con la organización",
    "delivery": "Entrega local",
    "national": "Envío nacional",
}

CategorySlug = Annotated[
    str, Vocabulary("CategorySlug", CATEGORIES_BY_SLUG, N_("Elige una categoría de la lista."))
]
UnitCode = Annotated[str, Vocabulary("UnitCode", UNITS, N_("Elige una unidad de la lista."))]
LISTING_KINDS: dict[str, str] = {"good": N_("Producto"), "service": N_("Servicio")}
ListingKind = Annotated[str, Vocabulary("ListingKind", LISTING_KINDS)]
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
    rate = iva_bps(category)
    return gross_cents * rate // (10_000 + rate)


def iva_bps(category: str) -> int:
    """The IVA rate (basis points) included in the prices of a category's listings."""
    return IVA_BPS.get(category, STANDARD_IVA_BPS)


def default_sat_product_key(category: str) -> str:
    """The ClaveProdServ a listing of `category` gets unless its producer chooses another."""
    known = CATEGORIES_BY_SLUG.get(category)
    return known.sat_product_key if known else FALLBACK_SAT_PRODUCT_KEY


def default_sat_unit_key(unit: str, kind: str = "good") -> str:
    """The ClaveUnidad a listing sold by `unit` gets unless its producer chooses another."""
    return SAT_UNIT_KEYS.get(unit) or FALLBACK_SAT_UNIT_KEYS.get(kind, FALLBACK_SAT_UNIT_KEYS["good"])
