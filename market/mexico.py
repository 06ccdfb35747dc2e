"""Facts about Mexico the marketplace relies on: federal entities, RFC, CLABE, legal forms, certifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, NamedTuple
from zoneinfo import ZoneInfo

import clabe
from stdnum.exceptions import ValidationError
from stdnum.mx import rfc as stdnum_rfc

from market.bounds import whole_number
from market.i18n import N_
from market.validation import Vocabulary


class State(NamedTuple):
    inegi: str  # INEGI two-digit code: what we store and filter on
    iso: str  # ISO 3166-2:MX
    name: str
    lat: float  # the capital city, as the point for "near this state"
    lng: float


STATES: tuple[State, ...] = (
    State("01", "MX-AGU", "Aguascalientes", 21.88, -102.29),
    State("02", "MX-BCN", "Baja California", 32.62, -115.45),
    State("03", "MX-BCS", "Baja California Sur", 24.14, -110.31),
    State("04", "MX-CAM", "Campeche", 19.85, -90.53),
    State("05", "MX-COA", "Coahuila", 25.42, -101.0),
    State("06", "MX-COL", "Colima", 19.24, -103.72),
    State("07", "MX-CHP", "Chiapas", 16.75, -93.12),
    State("08", "MX-CHH", "Chihuahua", 28.63, -106.07),
    State("09", "MX-CMX", "Ciudad de México", 19.43, -99.13),
    State("10", "MX-DUR", "Durango", 24.02, -104.65),
    State("11", "MX-GUA", "Guanajuato", 21.02, -101.26),
    State("12", "MX-GRO", "Guerrero", 17.55, -99.5),
    State("13", "MX-HID", "Hidalgo", 20.1, -98.76),
    State("14", "MX-JAL", "Jalisco", 20.67, -103.35),
    State("15", "MX-MEX", "Estado de México", 19.29, -99.66),
    State("16", "MX-MIC", "Michoacán", 19.7, -101.19),
    State("17", "MX-MOR", "Morelos", 18.92, -99.23),
    State("18", "MX-NAY", "Nayarit", 21.5, -104.89),
    State("19", "MX-NLE", "Nuevo León", 25.69, -100.32),
    State("20", "MX-OAX", "Oaxaca", 17.07, -96.73),
    State("21", "MX-PUE", "Puebla", 19.04, -98.2),
    State("22", "MX-QUE", "Querétaro", 20.59, -100.39),
    State("23", "MX-ROO", "Quintana Roo", 18.5, -88.3),
    State("24", "MX-SLP", "San Luis Potosí", 22.16, -100.98),
    State("25", "MX-SIN", "Sinaloa", 24.8, -107.39),
    State("26", "MX-SON", "Sonora", 29.07, -110.96),
    State("27", "MX-TAB", "Tabasco", 17.99, -92.93),
    State("28", "MX-TAM", "Tamaulipas", 23.74, -99.15),
    State("29", "MX-TLA", "Tlaxcala", 19.32, -98.24),
    State("30", "MX-VER", "Veracruz", 19.54, -96.91),
    State("31", "MX-YUC", "Yucatán", 20.97, -89.62),
    State("32", "MX-ZAC", "Zacatecas", 22.77, -102.58),
)
STATES_BY_CODE = {s.inegi: s for s in STATES}


MEXICO_CITY = ZoneInfo("America/Mexico_City")


def local_time(moment: datetime | None) -> str:
    """Times are stored in UTC and shown in central Mexico's time, which most users live in."""
    return moment.astimezone(MEXICO_CITY).strftime("%Y-%m-%d %H:%M") if moment else ""


def local_date(moment: datetime | None) -> str:
    """The day in central Mexico: an evening there is already the next day in UTC."""
    return moment.astimezone(MEXICO_CITY).strftime("%Y-%m-%d") if moment else ""


def state_name(code: str | None) -> str:
    return STATES_BY_CODE[code].name if code in STATES_BY_CODE else ""


# Legal forms of the social sector (Ley de la Economía Social y Solidaria, art. 4), the agrarian ones
# (Ley Agraria, arts. 108-111), and the civil associations and societies many producers work through.
LEGAL_FORMS: dict[str, str] = {
    "ejido": "Ejido",
    "comunidad": "Comunidad agraria",
    "union_ejidos": "Unión de ejidos o de comunidades",
    "spr": "Sociedad de producción rural (SPR)",
    "aric": "Asociación rural de interés colectivo (ARIC)",
    "coop_produccion": "Sociedad cooperativa de producción",
    "coop_consumo": "Sociedad cooperativa de consumo",
    "coop_ahorro": "Sociedad cooperativa de ahorro y préstamo",
    "coop_escolar": "Sociedad cooperativa escolar",
    # The cooperatives' integration bodies (Ley General de Sociedades Cooperativas, arts. 74-76).
    "union_cooperativas": "Unión de sociedades cooperativas",
    "federacion_cooperativas": "Federación de sociedades cooperativas",
    "confederacion_cooperativas": "Confederación de sociedades cooperativas",
    "sss": "Sociedad de solidaridad social",
    "org_trabajadores": "Organización de trabajadores",
    "empresa_trabajadores": "Empresa de los trabajadores",
    "asociacion_civil": "Asociación civil (A. C.)",
    "sociedad_civil": "Sociedad civil (S. C.)",
    "otra": "Otra forma del sector social",
}

CERTIFICATIONS: dict[str, str] = {
    "organico_mexico": "Orgánico México",
    "participativa": "Certificación orgánica participativa",
    "usda_organic": "USDA Organic (Estados Unidos)",
    "eu_organic": "Orgánico de la Unión Europea",
    "spp": "Símbolo de Pequeños Productores (SPP)",
    "fairtrade": "Fairtrade",
    "wfto": "WFTO Comercio Justo",
    "rainforest_alliance": "Rainforest Alliance",
    "do_mezcal": "Denominación de Origen Mezcal",
    "do_tequila": "Denominación de Origen Tequila",
    "do_bacanora": "Denominación de Origen Bacanora",
    "do_raicilla": "Denominación de Origen Raicilla",
    "do_sotol": "Denominación de Origen Sotol",
    "do_charanda": "Denominación de Origen Charanda",
    "do_cafe_veracruz": "Denominación de Origen Café Veracruz",
    "do_cafe_chiapas": "Denominación de Origen Café Chiapas",
    "do_cafe_pluma": "Denominación de Origen Café Pluma",
    "do_cacao_grijalva": "Denominación de Origen Cacao Grijalva",
    "do_vainilla_papantla": "Denominación de Origen Vainilla de Papantla",
    "do_chile_habanero_yucatan": "Denominación de Origen Chile Habanero de la Península de Yucatán",
    "do_chile_yahualica": "Denominación de Origen Chile Yahualica",
    "do_mango_ataulfo": "Denominación de Origen Mango Ataúlfo del Soconusco de Chiapas",
    "do_arroz_morelos": "Denominación de Origen Arroz del Estado de Morelos",
    "do_talavera": "Denominación de Origen Talavera",
    "do_olinala": "Denominación de Origen Olinalá",
    "do_ambar_chiapas": "Denominación de Origen Ámbar de Chiapas",
    "marca_colectiva": "Marca colectiva",
    "hecho_en_mexico": "Hecho en México",
}

# How forms offer the vocabularies: in the groups a person looks in, each code in one, in the dict's order.
LEGAL_FORM_GROUPS: dict[str, tuple[str, ...]] = {
    N_("Agrarias"): ("ejido", "comunidad", "union_ejidos", "spr", "aric"),
    N_("Cooperativas"): tuple(code for code in LEGAL_FORMS if "coop" in code),
    N_("Otras del sector social"): (
        "sss",
        "org_trabajadores",
        "empresa_trabajadores",
        "asociacion_civil",
        "sociedad_civil",
        "otra",
    ),
}
CERTIFICATION_GROUPS: dict[str, tuple[str, ...]] = {
    N_("Orgánicas"): ("organico_mexico", "participativa", "usda_organic", "eu_organic"),
    N_("Comercio justo y sostenibilidad"): ("spp", "fairtrade", "wfto", "rainforest_alliance"),
    N_("Denominaciones de origen"): tuple(code for code in CERTIFICATIONS if code.startswith("do_")),
    N_("Marcas"): ("marca_colectiva", "hecho_en_mexico"),
}


Options = list[tuple[str, list[tuple[str, str]]]]


def grouped(vocabulary: dict[str, str], groups: dict[str, tuple[str, ...]]) -> Options:
    """A vocabulary as a form offers it: (group label, [(code, label)])."""
    return [(label, [(code, vocabulary[code]) for code in codes]) for label, codes in groups.items()]


# The UN Sustainable Development Goals, by number.
SDGS: dict[int, str] = {
    1: "Fin de la pobreza",
    2: "Hambre cero",
    3: "Salud y bienestar",
    4: "Educación de calidad",
    5: "Igualdad de género",
    6: "Agua limpia y saneamiento",
    7: "Energía asequible y no contaminante",
    8: "Trabajo decente y crecimiento económico",
    9: "Industria, innovación e infraestructura",
    10: "Reducción de las desigualdades",
    11: "Ciudades y comunidades sostenibles",
    12: "Producción y consumo responsables",
    13: "Acción por el clima",
    14: "Vida submarina",
    15: "Vida de ecosistemas terrestres",
    16: "Paz, justicia e instituciones sólidas",
    17: "Alianzas para lograr los objetivos",
}

# The vocabularies as field types: checked on the way in, named enums in the OpenAPI document.
STATE_CODES = Vocabulary("StateCode", STATES_BY_CODE, N_("Elige una de las 32 entidades federativas."))
LEGAL_FORM_CODES = Vocabulary("LegalForm", LEGAL_FORMS, N_("Elige una forma jurídica de la lista."))
CERTIFICATION_CODES = Vocabulary("Certification", CERTIFICATIONS, N_("Certificación desconocida: {value}."))
SDG_NUMBERS = Vocabulary("SdgNumber", SDGS, N_("Los ODS van del 1 al 17."))


def _text_or_number(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _state_code(value: object) -> object:
    """A state as a form or a spreadsheet writes it: "7" or 7 is "07"."""
    return str(value).strip().zfill(2) if _text_or_number(value) else value


def _sdg_number(value: object) -> int | None:
    """An SDG as a form sends it ("5") or a client (5); not 5.5, True or "٥"."""
    return whole_number(value) if _text_or_number(value) else None


StateCode = Annotated[str, STATE_CODES]
StateCodes = Annotated[list[StateCode], STATE_CODES.many(N_("Entidad desconocida: {value}."), _state_code)]
LegalForm = Annotated[str, LEGAL_FORM_CODES]
LegalForms = Annotated[list[LegalForm], LEGAL_FORM_CODES.many()]
Certification = Annotated[str, CERTIFICATION_CODES]
Certifications = Annotated[list[Certification], CERTIFICATION_CODES.many()]
SdgNumber = Annotated[int, SDG_NUMBERS]
SdgNumbers = Annotated[list[SdgNumber], SDG_NUMBERS.many(parse=_sdg_number)]

GENERIC_RFCS = {"XAXX010101000", "XEXX010101000"}


def normalize_rfc(value: str) -> str:
    """Return the RFC upper-cased and compact, or raise ValueError if python-stdnum rejects it."""
    compact = stdnum_rfc.compact(value)
    if compact in GENERIC_RFCS:
        return compact
    try:
        return str(stdnum_rfc.validate(compact))
    except ValidationError as exc:
        raise ValueError(str(exc)) from exc


def normalize_clabe(value: str) -> str:
    """Return the 18-digit CLABE, or raise ValueError when its length, bank or check digit is wrong."""
    digits = "".join(value.split())
    if len(digits) != 18 or not digits.isdigit() or not clabe.validate_clabe(digits):
        raise ValueError(value)
    return digits
