"""The impact page in a real Chromium: its SVG charts render, with the figures of the ledger (see
conftest.py for the orders behind them)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.engine import Engine

from market.config import Settings
from market.db import transaction
from market.orders.fulfillment import confirm_offline_payment
from tests.fixtures.browser import SignIn
from tests.impact.conftest import checkout

pytestmark = pytest.mark.browser


def test_the_impact_page_draws_its_charts_with_the_figures(
    browser: Any, live_server: str, year_of_orders: dict[str, Any]
) -> None:
    context = browser.new_context(locale="es-MX", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Nuestro impacto: cuánto dinero llega al sector social").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impacto en la economía social y solidaria")
    expect(page.locator('[data-figure="producer-share"] dd')).to_have_text("$1,651.89")
    expect(page.locator('[data-figure="peso"] dd')).to_have_text("92.3 %")

    states = page.locator('svg[data-chart="por-estado"] rect.bar')
    expect(states).to_have_count(3)
    assert [states.nth(i).get_attribute("data-value") for i in range(3)] == ["68589", "55200", "41400"]
    widths = [states.nth(i).bounding_box()["width"] for i in range(3)]
    assert widths[0] > widths[1] > widths[2] > 0  # drawn to scale: Chiapas, Yucatán, Oaxaca
    assert abs(widths[1] / widths[0] - 55200 / 68589) < 0.01
    expect(page.get_by_role("img", name="Dinero al sector social por estado")).to_be_visible()

    months = page.locator('svg[data-chart="por-mes"] rect.bar')
    expect(months).to_have_count(12)
    assert months.nth(11).get_attribute("data-value") == "165189"
    assert months.nth(11).bounding_box()["height"] > months.nth(0).bounding_box()["height"]

    peso = page.locator('svg[data-chart="cada-peso"] rect.bar')
    expect(peso).to_have_count(3)
    assert [peso.nth(i).get_attribute("data-value") for i in range(3)] == ["165189", "9872", "3939"]
    legend = page.locator('svg[data-chart="cada-peso"] text', has_text="Organizaciones productoras")
    expect(legend).to_have_text("Organizaciones productoras: 92.3 % · $1,651.89")

    figure = page.locator("#por-estado")
    table = figure.get_by_role("table")
    expect(table).to_be_hidden()
    figure.get_by_text("Ver los datos").click()
    expect(table.get_by_role("row", name="Chiapas $685.89 1")).to_be_visible()
    context.close()


def test_an_institution_prints_its_report(
    sign_in: SignIn, live_server: str, year_of_orders: dict[str, Any]
) -> None:
    page = sign_in("compras@escuela.mx")
    page.goto(f"{live_server}/instituciones/{year_of_orders['school'].id}")
    page.get_by_role("link", name="Informe de impacto de sus compras").click()
    expect(page.get_by_text("Sus compras apoyaron a 1 organización en 1 estado")).to_be_visible()
    expect(page.locator('svg[data-chart="por-estado"] rect.bar')).to_have_count(1)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Imprimir")).to_be_hidden()
    expect(page.locator("#por-estado").get_by_role("table")).to_be_visible()  # its tables print open


def test_each_share_of_a_peso_has_its_legend_colour_and_many_rows_stay_legible_on_a_desktop(
    browser: Any,
    live_server: str,
    engine: Engine,
    settings: Settings,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    admin = make_user("admin@example.mx", is_admin=True)
    buyer = make_user("luis@example.mx", name="Luis Martínez")
    for n, state in enumerate(["01", "02", "05", "07", "09", "12", "14", "16", "20", "21", "30", "31"]):
        org = make_org(make_user(f"p{n}@productores.mx"), name=f"Cooperativa número {n + 1}", state=state)
        order = checkout(engine, settings, buyer, [(make_listing(org, price_cents=10000 + n * 1000), 1)])
        with transaction(engine) as tx:
            confirm_offline_payment(tx, admin, order.id or 0, f"SPEI {n}")

    page = browser.new_context(locale="es-MX", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server}/impacto")
    fill = "element => getComputedStyle(element).fill"
    peso = page.locator('svg[data-chart="cada-peso"]')
    segments, swatches = peso.locator("rect.bar"), peso.locator("rect.segment:not(.bar)")
    expect(segments).to_have_count(3)
    colours = [segments.nth(i).evaluate(fill) for i in range(3)]
    assert colours == [swatches.nth(i).evaluate(fill) for i in range(3)]
    assert len(set(colours)) == 3  # three shares, three colours

    states = page.locator('svg[data-chart="por-estado"]')
    expect(states.locator("rect.bar")).to_have_count(12)
    label = states.locator("text.chart-label").first
    assert label.bounding_box()["height"] >= 12  # drawn at 13 px, not squeezed to fit a fixed height
