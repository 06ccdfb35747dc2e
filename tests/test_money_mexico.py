"""Integer-centavo money helpers and the Mexican facts (RFC, CLABE, federal entities)."""

from __future__ import annotations

import clabe
import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from market.bounds import MAX_PRICE_CENTS
from market.mexico import (
    CERTIFICATION_GROUPS,
    CERTIFICATIONS,
    LEGAL_FORM_GROUPS,
    LEGAL_FORMS,
    STATES,
    STATES_BY_CODE,
    normalize_clabe,
    normalize_rfc,
    state_name,
)
from market.money import apply_bps, cents_to_pesos_text, format_mxn, parse_pesos

# --- money ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("185.50", 18550),
        ("12.5", 1250),
        ("$99", 9900),
        ("$ 1,250.50", 125050),
        ("  1,000,000  ", 100_000_000),
        ("0.05", 5),
        ("7", 700),
    ],
)
def test_parse_pesos_reads_what_people_type(text: str, cents: int) -> None:
    assert parse_pesos(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "-5", "12.345", "1,23", "12,5", "1.2.3", "$", "12 pesos", "1e3"])
def test_parse_pesos_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError):
        parse_pesos(text)


@pytest.mark.parametrize(
    ("cents", "locale", "expected"),
    [
        (18550, "es_MX", "$185.50"),
        (125_000_050, "es_MX", "$1,250,000.50"),
        (5, "es_MX", "$0.05"),
        (18550, "en", "MX$185.50"),
    ],
)
def test_format_mxn(cents: int, locale: str, expected: str) -> None:
    assert format_mxn(cents, locale) == expected


@pytest.mark.parametrize(
    ("cents", "bps", "share"),
    [
        (10_000, 800, 800),  # 8 % of $100
        (18_550, 800, 1484),  # 1484.0
        (1, 5000, 1),  # 0.5 rounds half up, not to even
        (5, 5000, 3),  # 2.5 -> 3 (banker's rounding would give 2)
        (4, 5000, 2),
        (12_345, 0, 0),
        (12_345, 10_000, 12_345),
    ],
)
def test_apply_bps_rounds_half_up_to_the_centavo(cents: int, bps: int, share: int) -> None:
    assert apply_bps(cents, bps) == share


@given(st.integers(min_value=0, max_value=MAX_PRICE_CENTS))
def test_pesos_text_and_formatted_amounts_parse_back_to_the_same_cents(cents: int) -> None:
    assert parse_pesos(cents_to_pesos_text(cents)) == cents
    assert parse_pesos(format_mxn(cents)) == cents


# --- RFC --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("MAB-930714-8T4", "MAB9307148T4"),  # persona moral: 12 characters
        ("gode 561231 gr8", "GODE561231GR8"),  # persona física: 13 characters, lower case and spaced
        ("XAXX010101000", "XAXX010101000"),  # generic RFC for the general public
        ("XEXX010101000", "XEXX010101000"),  # generic RFC for foreigners
    ],
)
def test_normalize_rfc_accepts_and_compacts(raw: str, expected: str) -> None:
    assert normalize_rfc(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "MAB9307148T",  # 11 characters
        "MAB9313148T4",  # month 13
        "1AB9307148T4",  # digit where the name letters go
        "GODE561231GR8X",  # 14 characters
        "",
    ],
)
def test_normalize_rfc_rejects_malformed(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_rfc(raw)


def test_normalize_rfc_does_not_enforce_the_check_digit() -> None:
    """python-stdnum leaves the check digit unchecked by default because the SAT has issued RFCs whose check
    digit is wrong (~1.5 %); refusing them would lock real organizations out. VACE460910SX6 is stdnum's own
    example of such an RFC; GODE561231GR9 is a valid RFC with its last character changed."""
    assert normalize_rfc("VACE460910SX6") == "VACE460910SX6"
    assert normalize_rfc("GODE561231GR9") == "GODE561231GR9"


# --- CLABE ------------------------------------------------------------------------------------------

PREFIX = "00201007777777777"  # bank 002 (Banamex), branch, account: 17 digits
VALID_CLABE = PREFIX + clabe.compute_control_digit(PREFIX)
WRONG_DIGIT = str((int(VALID_CLABE[-1]) + 1) % 10)


def test_normalize_clabe_accepts_a_computed_clabe_with_spaces() -> None:
    spaced = f"{VALID_CLABE[:3]} {VALID_CLABE[3:6]} {VALID_CLABE[6:17]} {VALID_CLABE[17]}"
    assert normalize_clabe(spaced) == VALID_CLABE


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(PREFIX + WRONG_DIGIT, id="wrong-check-digit"),
        pytest.param(VALID_CLABE[:-1], id="17-digits"),
        pytest.param(VALID_CLABE + "0", id="19-digits"),
        pytest.param(
            "999" + VALID_CLABE[3:-1] + clabe.compute_control_digit("999" + VALID_CLABE[3:-1]),
            id="unknown-bank",
        ),
        pytest.param(VALID_CLABE[:-2] + "a" + VALID_CLABE[-1], id="letter"),
    ],
)
def test_normalize_clabe_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_clabe(raw)


# --- federal entities -------------------------------------------------------------------------------


def test_the_32_federal_entities_have_inegi_codes_01_to_32() -> None:
    assert [s.inegi for s in STATES] == [f"{n:02d}" for n in range(1, 33)]
    assert len({s.name for s in STATES}) == 32


@pytest.mark.parametrize("state", STATES, ids=lambda s: s.inegi)
def test_iso_code_exists_in_pycountry(state: object) -> None:
    subdivision = pycountry.subdivisions.get(code=state.iso)  # type: ignore[attr-defined]
    assert subdivision is not None and subdivision.country_code == "MX"


def test_iso_codes_cover_every_mexican_subdivision_in_pycountry() -> None:
    assert {s.iso for s in STATES} == {sub.code for sub in pycountry.subdivisions.get(country_code="MX")}


def test_state_name() -> None:
    assert state_name("20") == "Oaxaca" == STATES_BY_CODE["20"].name
    assert state_name("33") == state_name(None) == ""


@pytest.mark.parametrize(
    ("vocabulary", "groups"), [(LEGAL_FORMS, LEGAL_FORM_GROUPS), (CERTIFICATIONS, CERTIFICATION_GROUPS)]
)
def test_forms_offer_every_code_of_a_vocabulary_once_in_its_order(
    vocabulary: dict[str, str], groups: dict[str, tuple[str, ...]]
) -> None:
    offered = [code for codes in groups.values() for code in codes]
    assert offered == list(vocabulary)


def test_the_sector_vocabulary_names_the_agrarian_forms_apart_and_the_integration_bodies() -> None:
    assert "union_spr_aric" not in LEGAL_FORMS
    assert {"union_ejidos", "spr", "aric", "coop_escolar", "asociacion_civil", "sociedad_civil"} <= set(
        LEGAL_FORMS
    )
    assert [
        LEGAL_FORMS[f"{body}_cooperativas"].split()[0] for body in ("union", "federacion", "confederacion")
    ] == [
        "Unión",
        "Federación",
        "Confederación",
    ]
    denominations = [label.removeprefix("Denominación de Origen ") for label in CERTIFICATIONS.values()]
    for product in ("Café Pluma", "Charanda", "Bacanora", "Raicilla", "Sotol", "Tequila", "Chile Yahualica"):
        assert product in denominations
    assert {"rainforest_alliance", "usda_organic", "eu_organic"} <= set(CERTIFICATIONS)
