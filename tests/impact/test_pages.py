"""The public impact page, its CSV and an institution's report show the figures of the ledger (see
conftest.py for the orders and the hand-computed split of each sale)."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.helpers import signed_in
from tests.pages import (
    Html,
    attr,
    elements,
    hrefs,
    one,
    option_values,
    soup,
    table_rows,
    text_of,
    texts,
    value_of,
)


def bars(page: Html, chart: str) -> list[tuple[str, int]]:
    """(data-key, data-value) of the bars of one chart, in drawing order."""
    svg = one(page, f"svg[data-chart='{chart}']")
    return [
        (attr(bar, "data-key") or "", int(attr(bar, "data-value") or "")) for bar in elements(svg, "rect.bar")
    ]


def figure(page: Html, name: str) -> str:
    """The value of one of the headline figures."""
    return text_of(one(page, f"[data-figure='{name}'] dd"))


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def cents(text: str) -> int:
    assert re.fullmatch(r"\d+\.\d\d", text), text
    return int(Decimal(text) * 100)


def test_the_public_page_shows_the_headline_figures_and_charts(
    client: TestClient, year_of_orders: dict[str, Any]
) -> None:
    page = client.get("/impacto")  # no sign-in needed
    assert page.status_code == 200
    html = soup(page)
    assert figure(html, "producer-share") == "$1,651.89"
    assert (figure(html, "organizations"), figure(html, "states")) == ("3", "3 de 32")
    assert figure(html, "peso") == "92.3 %"
    assert figure(html, "paid") == "$1,790.00"
    assert bars(html, "por-estado") == [("07", 68589), ("31", 55200), ("20", 41400)]
    assert bars(html, "por-forma-juridica") == [("coop_produccion", 68589), ("sss", 55200), ("ejido", 41400)]
    assert bars(html, "cada-peso") == [("productores", 165189), ("plataforma", 9872), ("pagos", 3939)]
    assert bars(html, "mujeres-indigenas") == [("mujeres", 123789), ("indigenas", 68589)]
    assert bars(html, "institucional-consumo") == [("institucional", 75000), ("consumo", 104000)]
    assert bars(html, "por-certificacion") == [("organico_mexico", 123789), ("spp", 68589)]
    monthly = bars(html, "por-mes")
    assert len(monthly) == 12 and monthly[-1][1] == 165189 and sum(v for _k, v in monthly) == 165189
    assert bars(html, "organizaciones-activas")[-1][1] == 3
    # Labels, not codes; an accessible name and description; the data as a table.
    assert [row[0] for row in table_rows(html, "#por-estado table")] == ["Chiapas", "Yucatán", "Oaxaca"]
    assert "Sociedad de solidaridad social" in texts(html, "#por-forma-juridica th")
    assert "Orgánico México" in texts(html, "#por-certificacion th")
    svg = one(html, "svg[data-chart='por-estado']")
    assert attr(svg, "aria-labelledby") == "por-estado-title por-estado-desc"
    assert text_of(one(svg, "#por-estado-title")) and text_of(one(svg, "#por-estado-desc"))
    assert texts(html, "#por-estado summary") == ["Ver los datos"]
    assert table_rows(html, "#mujeres-indigenas table")[0][1] == "74.9 % · $1,237.89"  # women-led
    # The unpaid order's producer and the buyers do not appear.
    assert "Jalisco" not in text_of(html) and "Luis Martínez" not in text_of(html)
    assert "/impacto" in hrefs(html, "footer a")  # linked from every page's footer


def test_the_public_csv_holds_the_page_figures_and_no_sale_of_anyone(
    client: TestClient, year_of_orders: dict[str, Any]
) -> None:
    rows = rows_of(client.get("/impacto.csv"))
    body = client.get("/api/v1/impacto").json()
    tables: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in rows:
        tables[row["tabla"]][row["clave"]] = row
    assert set(tables) == {"total", "mes", "estado", "forma_juridica", "certificacion", "ods"}
    totals = {key: cents(row["monto"]) for key, row in tables["total"].items()}
    assert (totals["pagado"], totals["parte_productores"], totals["costo_pago"]) == (179000, 165189, 3939)
    assert (totals["por_cobrar"], totals["instituciones"]) == (body["unpaid_cents"], 75000)
    for table, bars in (("estado", "by_state"), ("forma_juridica", "by_legal_form"), ("ods", "by_sdg")):
        assert {k: (cents(r["monto"]), int(r["organizaciones"])) for k, r in tables[table].items()} == {
            bar["key"]: (bar["value_cents"], bar["organizations"]) for bar in body[bars]
        }, table
    assert tables["estado"]["31"]["nombre"] == "Yucatán"
    # No organization, buyer or single sale: a producer that shared an award cannot read the other's price.
    text = client.get("/impacto.csv").text
    for name in ("Apicultoras del Puuc", "Flor de Café", "Luis", "360.00"):
        assert name not in text

    year = body["years"][0]
    assert rows_of(client.get(f"/impacto.csv?year={year}")) == rows
    empty = rows_of(client.get(f"/impacto.csv?year={year - 1}"))
    assert {r["tabla"] for r in empty} == {"total", "mes"} and {r["monto"] for r in empty} == {"0.00"}
    assert (
        client.get(f"/impacto.csv?year={year}")
        .headers["content-disposition"]
        .endswith(f'impacto-{year}.csv"')
    )


def test_a_year_without_sales_says_so(client: TestClient, year_of_orders: dict[str, Any]) -> None:
    year = client.get("/api/v1/impacto").json()["years"][0]
    html = soup(client.get(f"/impacto?year={year - 1}"))
    assert texts(html, ".empty") == ["Todavía no hay ventas pagadas en este periodo."]
    assert figure(html, "producer-share") == "$0.00"
    assert value_of(html, "year") == str(year - 1) and str(year) in option_values(html, "year")
    assert f"/impacto.csv?year={year - 1}" in hrefs(html)


def test_an_institution_report_shows_only_its_own_purchases(
    app: FastAPI, year_of_orders: dict[str, Any]
) -> None:
    school, hospital = year_of_orders["school"], year_of_orders["hospital"]
    teacher = signed_in(app, "compras@escuela.mx")
    assert f"/instituciones/{school.slug}/impacto" in hrefs(teacher.get(f"/instituciones/{school.id}"))

    html = soup(teacher.get(f"/instituciones/{school.slug}/impacto"))
    # Only the awarded honey: 60000 paid, 4800 fee, 55200 to a women-led, non-indigenous producer in Yucatán.
    assert (figure(html, "paid"), figure(html, "producer-share")) == ("$600.00", "$552.00")
    assert (figure(html, "organizations"), figure(html, "states")) == ("1", "1 de 32")
    assert text_of(one(html, "p.impact-summary[data-summary]")) == (
        "Sus compras apoyaron a 1 organización en 1 estado; 100.0 % de lo que recibieron las organizaciones "
        "productoras fue a organizaciones lideradas por mujeres y 0.0 % a organizaciones de comunidades "
        "indígenas. De cada peso que pagaron, 92.0 % llegó a quien produce."
    )
    assert bars(html, "por-estado") == [("31", 55200)]
    assert bars(html, "institucional-consumo") == [("institucional", 60000), ("consumo", 0)]
    details = elements(html, "details.chart-data")
    assert details and all(chart_data.has_attr("open") for chart_data in details)  # printed with its tables
    rows = rows_of(teacher.get(f"/instituciones/{school.slug}/impacto.csv"))
    assert [(r["organizacion"], r["pagado"], r["tipo_comprador"]) for r in rows] == [
        ("Apicultoras del Puuc", "600.00", "institucional")
    ]

    nurse = signed_in(app, "compras@hospital.mx")
    rows = rows_of(nurse.get(f"/instituciones/{hospital.slug}/impacto.csv"))
    assert [(r["organizacion"], r["pagado"]) for r in rows] == [("Ejido El Palmar", "150.00")]
    assert figure(nurse.get(f"/instituciones/{hospital.slug}/impacto"), "paid") == "$150.00"

    admin = signed_in(app, "admin@example.mx")
    assert figure(admin.get(f"/instituciones/{school.slug}/impacto"), "paid") == "$600.00"


FORMULA = '=HYPERLINK("http://x","y")'


def test_an_organization_named_like_a_formula_stays_text_in_the_report_csv(
    app: FastAPI, client: TestClient, session: Session, year_of_orders: dict[str, Any]
) -> None:
    honey = year_of_orders["orgs"]["b"]
    honey.name = FORMULA
    session.add(honey)
    session.commit()

    assert "HYPERLINK" not in client.get("/impacto.csv").text  # no names in the public figures at all
    school = year_of_orders["school"]
    report = rows_of(signed_in(app, "compras@escuela.mx").get(f"/instituciones/{school.slug}/impacto.csv"))
    assert [(r["organizacion"], r["pagado"]) for r in report] == [("'" + FORMULA, "600.00")]


def test_an_institution_report_is_for_its_members_and_administrators_only(
    app: FastAPI, client: TestClient, year_of_orders: dict[str, Any]
) -> None:
    school = year_of_orders["school"]
    for path in (f"/instituciones/{school.slug}/impacto", f"/instituciones/{school.slug}/impacto.csv"):
        assert client.get(path).headers["location"].startswith("/entrar")  # anonymous: sign in first
        assert signed_in(app, "luis@example.mx").get(path).status_code == 404
        assert signed_in(app, "compras@hospital.mx").get(path).status_code == 404  # another institution
    assert signed_in(app, "compras@escuela.mx").get("/instituciones/no-existe/impacto").status_code == 404
