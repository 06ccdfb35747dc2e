"""The dispersion file in BBVA Net Cash's SPEI layout, byte for byte, and the bank's result file read whole or
refused with every problem."""

from __future__ import annotations

import pytest

from market.payments import dispersion_format as layout
from tests.spreadsheets import NOT_TABLES, xlsx_bytes

PLATFORM_CLABE = "012180001198203451"  # a BBVA CLABE: account 0119820345


def test_a_record_is_165_characters_laid_out_field_by_field() -> None:
    transfer = layout.Transfer(
        clabe="002010077777777771",
        beneficiary="Cooperativa Flor de Café, S.C. de R.L.",
        amount_cents=125050,
        reference=42,
        concept="Tianguis Solidario disp 3",
    )
    content = layout.render([transfer], PLATFORM_CLABE)

    assert content == (
        b"002010077777777771"  # 1-18 cuenta destino (CLABE)
        b"000000000119820345"  # 19-36 cuenta origen: the 10-digit BBVA account, zeros to the left
        b"MXP"  # 37-39 divisa
        b"0000000001250.50"  # 40-55 importe
        b"COOPERATIVA FLOR DE CAFE SC DE"  # 56-85 titular: upper case, no accents or punctuation, cut at 30
        b"40"  # 86-87 tipo de cuenta: CLABE
        b"002"  # 88-90 banco destino: the CLABE's first three digits
        b"TIANGUIS SOLIDARIO DISP 3     "  # 91-120 motivo de pago, padded with spaces
        b"0000042"  # 121-127 referencia numérica
        b"H"  # 128 disponibilidad: same day
        b"0"  # 129 comprobante fiscal: none
        b"                  "  # 130-147 RFC del beneficiario: blank without a comprobante
        b"000000000000000.00"  # 148-165 IVA: none
        b"\r\n"
    )
    assert len(content.rstrip(b"\r\n")) == layout.WIDTH == 165


def test_a_file_has_one_record_per_transfer_each_ended_by_crlf_in_plain_ascii() -> None:
    transfers = [
        layout.Transfer("002010077777777771", "Ña Ü", 1, 1, "x"),
        layout.Transfer("072180001234567897", "Unión de Ejidos Señor de la Peña", 99999999, 9999999, "y"),
    ]
    content = layout.render(transfers, PLATFORM_CLABE)

    lines = content.split(b"\r\n")
    assert lines[-1] == b"" and len(lines) == 3
    assert all(len(line) == 165 for line in lines[:2])
    assert content.decode("ascii")  # nothing outside ASCII
    assert lines[0][39:55] == b"0000000000000.01"
    assert lines[0][55:85] == b"NA U".ljust(30)
    assert lines[1][39:55] == b"0000000999999.99"
    assert lines[1][55:85] == b"UNION DE EJIDOS SENOR DE LA PE"
    assert lines[1][87:90] == b"072" and lines[1][120:127] == b"9999999"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Café Ñuñoa — S.A. de C.V.", "CAFE NUNOA SA DE CV"),
        ('  Cooperativa   "La Flor" #3  ', "COOPERATIVA LA FLOR 3"),
        ("Tejedoras/Zinacantán-Chiapas", "TEJEDORAS ZINACANTAN CHIAPAS"),
        ("日本", ""),
    ],
)
def test_names_become_what_a_bank_portal_accepts(text: str, expected: str) -> None:
    assert layout.bank_text(text, 30) == expected.ljust(30)


def test_impossible_values_never_reach_a_file() -> None:
    with pytest.raises(ValueError):
        layout.amount_field(0)
    with pytest.raises(ValueError):
        layout.amount_field(10**15)
    with pytest.raises(ValueError):
        layout.render([layout.Transfer("0020100777", "x", 100, 1, "y")], PLATFORM_CLABE)
    with pytest.raises(ValueError):
        layout.render([layout.Transfer("002010077777777771", "x", 100, 10**7, "y")], PLATFORM_CLABE)


RESULT = (
    "Referencia,Cuenta destino,Importe,Estatus,Clave de rastreo,Motivo\n"
    '0000042,002010077777777771,"$1,250.50",LIQUIDADA,BNET01002512060000001,\n'
    "43,'072180001234567897,999.99,Rechazada,,CUENTA INEXISTENTE\n"
)


def test_a_result_file_gives_each_transfer_its_outcome() -> None:
    sent, failed = layout.parse_result(RESULT.encode())

    assert sent == layout.ResultLine(
        2, 42, "002010077777777771", 125050, layout.SENT, "BNET01002512060000001", None
    )
    assert failed == layout.ResultLine(
        3, 43, "072180001234567897", 99999, layout.FAILED, None, "CUENTA INEXISTENTE"
    )


def test_a_result_saved_as_an_excel_workbook_is_read_too() -> None:
    rows = [line.split(",") for line in RESULT.replace('"$1,250.50"', "1250.50").splitlines()]
    assert [line.reference for line in layout.parse_result(xlsx_bytes(rows))] == [42, 43]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "El archivo está vacío."),
        (b"\x00\x01\x02\x03garbage\xff\xfe", "El archivo no es un CSV ni un libro de Excel (.xlsx)"),
        (b"x" * (layout.RESULT_MAX_BYTES + 1), "El archivo pesa más de 1 MB"),
        (b"fecha,concepto\n2025-01-01,algo\n", "No encontramos las columnas del resultado"),
        (b"referencia,clabe,importe,estatus\n", "El archivo no tiene ninguna línea de resultado."),
        (b"referencia,clabe,importe,estatus\nABC,002010077777777771,1.00,liquidada\n", "«ABC» no es una"),
        (b"referencia,clabe,importe,estatus\n1,12345,1.00,liquidada\n", "«12345» no es una CLABE"),
        (b"referencia,clabe,importe,estatus\n1,002010077777777771,uno,liquidada\n", "importe «uno»"),
        (b"referencia,clabe,importe,estatus\n1,002010077777777771,1.00,quien sabe\n", "estatus «quien sabe»"),
        (
            b"referencia,clabe,importe,estatus\n1,002010077777777771,1.00,liquidada\n"
            b"1,002010077777777771,1.00,liquidada\n",
            "La referencia 0000001 ya aparece en la fila 2.",
        ),
    ],
    ids=[
        "empty",
        "binary",
        "huge",
        "no-columns",
        "no-lines",
        "reference",
        "clabe",
        "amount",
        "status",
        "twice",
    ],
)
def test_a_file_that_is_no_result_is_refused_saying_why(content: bytes, message: str) -> None:
    with pytest.raises(layout.ResultUnreadable) as refused:
        layout.parse_result(content)
    assert any(message in text for _line, text in refused.value.problems), refused.value.problems


@pytest.mark.parametrize("name", ["png", "pdf", "random-bytes", "zip-of-text", "truncated-xlsx"])
def test_pictures_documents_and_broken_workbooks_are_refused_saying_what_they_are(name: str) -> None:
    _filename, content, message = NOT_TABLES[name]
    with pytest.raises(layout.ResultUnreadable) as refused:
        layout.parse_result(content)
    assert refused.value.problems == [(1, message)]
