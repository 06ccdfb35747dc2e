"""The SAT's catalogues a listing's keys come from (c_ClaveProdServ, c_ClaveUnidad, c_ObjetoImp): the
validated types of its fields, and the search a producer chooses a key with.

The catalogues are the ones satcfdi ships (its SQLite file, kept up to date with the package). A table is
read whole the first time it is needed (about 0.1 s for the 52,000 product keys, a few milliseconds for the
units; 0.35 s in all with the folded text the search compares), kept in memory, and searched in Python: a
search reads no database and takes some 40 ms."""

from __future__ import annotations

import heapq
import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema
from satcfdi.catalogs import select_all

from market.catalog.taxonomy import CATEGORIES, SAT_UNIT_KEYS
from market.i18n import N_
from market.validation import Vocabulary, invalid

MAX_RESULTS = 20
MAX_QUERY = 100

# c_ObjetoImp: the two a listing may be. "02" is the usual case (IVA at 0 % or 16 % is still "objeto de
# impuesto"); "01" only for what the law leaves outside the tax altogether.
TAX_OBJECTS: dict[str, str] = {
    "02": N_("Sí objeto de impuesto"),
    "01": N_("No objeto de impuesto"),
}
TAXED = "02"
TaxObject = Annotated[
    str, Vocabulary("TaxObject", TAX_OBJECTS, N_("Elige si el producto es objeto de impuesto o no."))
]


def fold(text: str) -> str:
    """Text as a search compares it: no accents, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


class SatKey(BaseModel):
    """One key of a SAT catalogue."""

    code: str
    description: str


@dataclass(frozen=True)
class Catalogue:
    """One SAT catalogue in memory: code -> description, and each entry's folded text for the search.
    `preferred` codes (those the marketplace suggests) come first among equally good matches."""

    table: str
    descriptions: Mapping[str, str]
    folded: tuple[tuple[str, str, str], ...]  # (code, folded code, folded description)
    preferred: frozenset[str]

    @classmethod
    def load(cls, table: str, preferred: frozenset[str]) -> Catalogue:
        rows = select_all(table)
        descriptions = {str(code): str(description) for code, description in sorted(rows.items())}
        folded = tuple((code, code.casefold(), fold(text)) for code, text in descriptions.items())
        return cls(table, descriptions, folded, preferred)

    def describe(self, code: str) -> str | None:
        return self.descriptions.get(code)

    def search(self, query: str, limit: int = MAX_RESULTS) -> list[SatKey]:
        """Keys whose code starts with the query, or whose description holds each of its words (accents and
        case aside), best first: the code itself, a description that is the query or begins with it, one
        with a word that begins with it; then the marketplace's own suggestions, then shorter descriptions."""
        wanted = fold(query[:MAX_QUERY])
        words = wanted.split()
        if not words:
            return []
        ranked: list[tuple[tuple[int, int, int, str], str]] = []
        for code, folded_code, text in self.folded:
            if folded_code.startswith(wanted):
                rank = 0 if folded_code == wanted else 1
            elif all(word in text for word in words):
                if text == wanted:
                    rank = 2
                elif text.startswith(wanted):
                    rank = 3
                elif all(_starts_a_word(text, word) for word in words):
                    rank = 4
                else:
                    rank = 5
            else:
                continue
            ranked.append(((rank, code not in self.preferred, len(text), code), code))
        best = heapq.nsmallest(limit, ranked)
        return [SatKey(code=code, description=self.descriptions[code]) for _, code in best]


def _starts_a_word(text: str, word: str) -> bool:
    return text.startswith(word) or f" {word}" in text


_lock = threading.Lock()
_loaded: dict[str, Catalogue] = {}
PRODUCTS_TABLE = "C756_c_ClaveProdServ"
UNITS_TABLE = "C756_c_ClaveUnidad"
_PREFERRED = {
    PRODUCTS_TABLE: frozenset(c.sat_product_key for c in CATEGORIES),
    UNITS_TABLE: frozenset(SAT_UNIT_KEYS.values()),
}


def _catalogue(table: str) -> Catalogue:
    if (found := _loaded.get(table)) is None:
        with _lock:  # one load, however many requests ask at once
            if (found := _loaded.get(table)) is None:
                found = _loaded[table] = Catalogue.load(table, _PREFERRED[table])
    return found


def product_keys() -> Catalogue:
    """c_ClaveProdServ: products and services (8 digits)."""
    return _catalogue(PRODUCTS_TABLE)


def unit_keys() -> Catalogue:
    """c_ClaveUnidad: units of measure (2 or 3 letters and digits)."""
    return _catalogue(UNITS_TABLE)


class CatalogueKey:
    """A field holding a key of a SAT catalogue, as the metadata of an `Annotated[str, ...]`: read as the
    catalogue writes it (`normalize`), of its shape (`pattern`, shown in the OpenAPI document) and present
    in the catalogue, else a message in the person's language naming the key."""

    def __init__(
        self,
        name: str,
        catalogue: Any,
        pattern: str,
        shape_message: str,
        unknown_message: str,
        upper: bool = False,
    ) -> None:
        self.name, self.catalogue, self.pattern, self.upper = name, catalogue, pattern, upper
        self.shape_message, self.unknown_message = shape_message, unknown_message
        self._shape = re.compile(pattern)
        self.shape_code, self.unknown_code = f"sat_{name}_shape", f"sat_{name}_unknown"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source), ref=self.name)

    def _check(self, value: str) -> str:
        key = "".join(value.split())
        key = key.upper() if self.upper else key
        if not self._shape.fullmatch(key):
            raise invalid(self.shape_code, self.shape_message, value=value[:40])
        if self.catalogue().describe(key) is None:
            raise invalid(self.unknown_code, self.unknown_message, value=key)
        return key

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        reference = handler(schema)
        definition = handler.resolve_ref_schema(reference)
        definition.update({"title": self.name, "pattern": f"^{self.pattern}$"})
        return reference


ProductKey = Annotated[
    str,
    CatalogueKey(
        "ProductKey",
        product_keys,
        r"[0-9]{8}",
        N_("La clave de producto o servicio del SAT tiene 8 dígitos: búscala por su nombre."),
        N_(
            "La clave {value} no está en el catálogo de productos y servicios del SAT: "
            "búscala por su nombre o por su clave."
        ),
    ),
]
UnitKey = Annotated[
    str,
    CatalogueKey(
        "UnitKey",
        unit_keys,
        r"[A-Z0-9]{2,3}",
        N_("La clave de unidad del SAT tiene 2 o 3 letras o números (KGM, H87...): búscala por su nombre."),
        N_("La clave {value} no está en el catálogo de unidades del SAT: búscala por su nombre o su clave."),
        upper=True,
    ),
]
