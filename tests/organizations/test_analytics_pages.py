"""The sales page shows the hand-computed figures; its CSV exports parse with the csv module and add up to
what the page shows; only the organization's members and the administrators open any of them."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from babel.dates import format_date
from bs4 import Tag
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.db import utcnow
from market.mexico import MEXICO_CITY
from market.money import format_mxn
from market.organizations.analytics import last_months
from market.organizations.models import Membership
from tests.helpers import log_in
from tests.organizations.conftest import Sales
from tests.pages import Html, attr, elements, field_error, hrefs, one, soup, text_of, texts, value_of

DATA = re.compile(r'<data value="(-?[\d.]+)">([^<]*)</data>')


def page_of(client: TestClient, sales: Sales) -> Tag:
    response = client.get(f"/panel/o/{sales.coffee_org.slug}/ventas")
    assert response.status_code == 200, response.text
    return soup(response)


def data_values(element: Tag) -> list[int]:
    """The machine-readable values (`<data value>`) in the element, in order."""
    return [int(attr(data, "value") or "") for data in elements(element, "data")]


def figure(page: Html, element_id: str) -> int:
    """The machine-readable value of the figure in the element with this id; its text must say the same."""
    data = elements(one(page, f"#{element_id}"), "data")[0]
    value = int(attr(data, "value") or "")
    assert text_of(data) in (format_mxn(value), str(value))
    return value


def row_values(page: Html, attribute: str, value: str) -> list[int]:
    return data_values(one(page, f"tr[{attribute}='{value}'], li[{attribute}='{value}']"))


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())  # the byte-order mark Excel needs
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def cents(text: str) -> int:
    assert re.fullmatch(r"-?\d+\.\d\d", text), text  # pesos with two decimals, no thousands separator
    return round(float(text) * 100)


def today() -> date:
    return utcnow().astimezone(MEXICO_CITY).date()


def test_the_page_shows_the_hand_computed_figures(client: TestClient, sales: Sales) -> None:
    log_in(client, "cafe@example.mx")
    html = page_of(client, sales)
    assert figure(html, "ventas-12-meses") == 253000
    assert figure(html, "parte-12-meses") == 232760
    assert figure(html, "por-atender") == 3
    assert figure(html, "saldo") == 222760
    *_, last_month, this_month = last_months(utcnow())
    # Sales, refunds, the producer's share and the fee, month by month, then the twelve months' total.
    assert row_values(html, "data-month", this_month.isoformat()[:7]) == [203000, 41000, 186760, 16240]
    assert row_values(html, "data-month", last_month.isoformat()[:7]) == [50000, 0, 46000, 4000]
    assert row_values(html, "data-month", "total") == [253000, 41000, 232760, 20240]
    assert row_values(html, "data-status", "accepted") == [1]
    assert row_values(html, "data-stars", "2") == [1]
    assert data_values(one(html, "#tabla-mas-vendidos")) == [18, 180000, 14, 84000]
    assert "3.7 de 5 en 3 reseñas" in texts(html, "#resenas-h ~ p")
    # The chart: an accessible image of twelve bars, the current month's the tallest.
    chart = one(html, "svg.chart")
    assert attr(chart, "role") == "img" and text_of(one(chart, "svg > title"))
    heights = [float(attr(bar, "height") or "") for bar in elements(chart, "rect.bar")]
    assert len(heights) == 12 and max(heights) == heights[-1] > heights[-2] > 0 == heights[0]
    links = hrefs(html)
    for link in ("/pedidos.csv", "/movimientos.csv", "/pedidos"):
        assert f"/panel/o/{sales.coffee_org.slug}{link}" in links


def test_the_management_page_links_to_the_sales_page(client: TestClient, sales: Sales) -> None:
    log_in(client, "cafe@example.mx")
    html = client.get(f"/panel/o/{sales.coffee_org.slug}")
    assert f"/panel/o/{sales.coffee_org.slug}/ventas" in hrefs(html)


def test_the_orders_csv_adds_up_to_the_page(client: TestClient, sales: Sales) -> None:
    log_in(client, "cafe@example.mx")
    html = page_of(client, sales)
    response = client.get(f"/panel/o/{sales.coffee_org.slug}/pedidos.csv")
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="pedidos-{sales.coffee_org.slug}-{today().isoformat()}.csv"'
    rows = csv_rows(response)
    # One row per line of the orders the producer works on (not B, never paid); D has two lines.
    ids = {key: order.id for key, order in sales.orders.items()}
    assert [int(r["Pedido"]) for r in rows] == [ids[k] for k in ("A", "C", "D", "D", "E", "F", "G")]
    first = rows[0]
    assert (first["Compra"], first["Producto"], first["Cantidad"], first["Unidad"]) == (
        "Eva Martínez",
        "Café tostado",
        "10",
        "kg",
    )
    assert (first["Precio unitario"], first["Importe"], first["Comisión"], first["Recibes"]) == (
        "100.00",
        "1000.00",
        "80.00",
        "920.00",
    )
    assert (first["Estado del pedido"], first["Estado de tu parte"]) == ("Pagado", "Completado")
    assert rows[-1]["Fecha"].startswith((today() - timedelta(days=today().day)).isoformat())  # G, local time
    # Each part once: what its buyer paid less what went back is the page's twelve months of sales.
    parts = {r["Pedido"]: r for r in rows}
    paid = sum(cents(r["Subtotal de tu parte"]) + cents(r["Envío"]) for r in parts.values())
    refunded = sum(cents(r["Reembolsado"]) for r in parts.values())
    assert (paid - refunded, refunded) == (figure(html, "ventas-12-meses"), 41000)
    # The lines of parts not refunded in full are the best sellers' revenue.
    kept = [r for r in rows if cents(r["Reembolsado"]) < cents(r["Subtotal de tu parte"]) + cents(r["Envío"])]
    assert sum(cents(r["Importe"]) for r in kept if r["Producto"] == "Café tostado") == 180000
    assert sum(int(r["Cantidad"]) for r in kept if r["Producto"] == "Café verde") == 14


def test_the_ledger_csv_ends_at_the_balance_on_the_page(client: TestClient, sales: Sales) -> None:
    log_in(client, "cafe@example.mx")
    html = page_of(client, sales)
    response = client.get(f"/panel/o/{sales.coffee_org.slug}/movimientos.csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="movimientos-{sales.coffee_org.slug}-{today().isoformat()}.csv"'
    )
    rows = csv_rows(response)
    assert list(rows[0]) == ["Fecha", "Concepto", "Pedido", "Importe", "Referencia", "Saldo"]
    assert cents(rows[-1]["Saldo"]) == figure(html, "saldo") == 222760
    running = 0
    for row in rows:  # every running balance is the one before plus the movement
        running += cents(row["Importe"])
        assert cents(row["Saldo"]) == running
    # G came first: it was paid last month. Then A, C and its refund, D and its partial refund, E's fee, F.
    assert [(r["Concepto"], r["Importe"]) for r in rows] == [
        ("Venta pagada", "460.00"),
        ("Venta pagada", "920.00"),
        ("Venta pagada", "276.00"),
        ("Reembolso", "-276.00"),
        ("Venta pagada", "404.80"),
        ("Reembolso", "-101.20"),
        ("Venta cobrada en efectivo: comisión", "-8.00"),
        ("Venta a crédito (factura)", "552.00"),
    ]
    assert (
        rows[0]["Pedido"] == str(sales.orders["G"].id)
        and rows[0]["Referencia"] == f"SPEI {rows[0]['Pedido']:0>4}"
    )


def test_the_orders_csv_takes_a_range_of_local_days(client: TestClient, sales: Sales) -> None:
    log_in(client, "cafe@example.mx")
    url = f"/panel/o/{sales.coffee_org.slug}/pedidos.csv"
    evening = today() - timedelta(days=today().day)  # the last day of last month, when G was placed
    only_g = csv_rows(client.get(url, params={"desde": evening.isoformat(), "hasta": evening.isoformat()}))
    assert [int(r["Pedido"]) for r in only_g] == [sales.orders["G"].id]
    since_today = csv_rows(client.get(url, params={"desde": today().isoformat()}))
    assert len(since_today) == 6 and str(sales.orders["G"].id) not in {r["Pedido"] for r in since_today}
    until_then = csv_rows(client.get(url, params={"hasta": evening.isoformat()}))
    assert [int(r["Pedido"]) for r in until_then] == [sales.orders["G"].id]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"desde": "31/03/2025"}, "Escribe la fecha como AAAA-MM-DD, por ejemplo 2025-03-31."),
        (
            {"desde": "2025-04-01", "hasta": "2025-03-31"},
            "La fecha final no puede ser anterior a la inicial.",
        ),
    ],
)
def test_a_bad_date_range_comes_back_on_the_page_with_a_spanish_message(
    client: TestClient, sales: Sales, params: dict[str, str], message: str
) -> None:
    log_in(client, "cafe@example.mx")
    response = client.get(f"/panel/o/{sales.coffee_org.slug}/pedidos.csv", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    page = soup(response)
    [(field, error)] = [(name, error) for name in ("desde", "hasta") if (error := field_error(page, name))]
    assert error == message and attr(one(page, f"[name='{field}']"), "aria-invalid") == "true"
    assert value_of(page, "desde") == params["desde"]  # what was typed stays in the form


@pytest.mark.parametrize("path", ["ventas", "pedidos.csv", "movimientos.csv"])
def test_only_members_and_administrators_open_the_page_and_the_exports(
    client: TestClient, session: Session, sales: Sales, make_user: Any, path: str
) -> None:
    url = f"/panel/o/{sales.coffee_org.slug}/{path}"
    response = client.get(url)
    assert response.status_code == 303 and response.headers["location"].startswith("/entrar")

    log_in(client, "miel@example.mx")  # a member of another organization
    refused = client.get(url)
    assert refused.status_code == 403 and "Café tostado" not in text_of(refused)
    assert client.get(f"/panel/o/no-existe/{path}").status_code == 404

    member = make_user("jose@example.mx", name="José Gómez")
    session.add(Membership(user_id=member.id or 0, organization_id=sales.coffee_org.id or 0, role="member"))
    session.commit()
    for email in ("jose@example.mx", "admin@example.mx"):
        client.cookies.clear()
        log_in(client, email)
        assert client.get(url).status_code == 200
    assert session.exec(select(Membership).where(Membership.user_id == sales.admin.id)).first() is None


def test_month_names_follow_the_interface_language(client: TestClient, sales: Sales) -> None:
    log_in(client, "cafe@example.mx")
    this_month = last_months(utcnow())[-1]
    month = f"tr[data-month='{this_month.isoformat()[:7]}'] th"
    assert texts(page_of(client, sales), month) == [format_date(this_month, "LLL yyyy", locale="es_MX")]
    client.get("/idioma/en")
    assert texts(page_of(client, sales), month) == [format_date(this_month, "LLL yyyy", locale="en")]
