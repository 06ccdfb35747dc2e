"""Filters on a phone, in a real Chromium: several states at once, the count announced, a visible sign while
results load, and every filter cleared in one tap."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers import run_search_worker

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_two_states_then_clear_every_filter_on_a_phone(
    browser: Any, live_server: str, app: Any, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    chiapas = make_org(make_user())
    oaxaca = make_org(make_user("eva@example.mx"), name="Mezcaleras de Matatlán", state="20")
    yucatan = make_org(make_user("lupe@example.mx"), name="Meliponicultoras de Maní", state="31")
    make_listing(chiapas, title="Café de olla orgánico")
    make_listing(oaxaca, title="Mezcal espadín joven", category="mezcal-destilados", unit="ml")
    make_listing(yucatan, title="Miel melipona", category="miel")
    run_search_worker(app)

    page = browser.new_context(locale="es-MX", viewport=PHONE).new_page()
    refused = []  # what the Content-Security-Policy blocked: nothing the page needs
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server}/buscar?q=")
    results, status = page.locator("#resultados"), page.get_by_role("status")
    loading = page.locator("#buscando")  # the visible sign
    expect(page.locator(".results h3")).to_have_count(3)
    expect(loading).to_have_css("opacity", "0")

    # Hold the search back, to see the page say it is loading.
    held: list[Any] = []
    page.route(re.compile(r"/buscar\?"), lambda route: held.append(route))
    states = page.locator(".facets fieldset", has_text="Estado")
    states.get_by_label("Chiapas").check()
    expect(results).to_have_attribute("aria-busy", "true")
    expect(loading).to_have_css("opacity", "1")
    expect(loading).to_be_in_viewport()  # though the person is down at the filters
    assert len(held) == 1
    held[0].continue_()
    page.unroute(re.compile(r"/buscar\?"))
    expect(status).to_have_text("1 resultado")
    expect(results).to_have_attribute("aria-busy", "false")
    expect(loading).to_have_css("opacity", "0")
    expect(page.locator(".results h3")).to_have_text(["Café de olla orgánico"])

    # Oaxaca still shows what it would add; ticking it widens the search.
    expect(states.get_by_label("Oaxaca")).to_be_visible()
    expect(states.locator("label", has_text="Oaxaca")).to_contain_text("(1)")
    states.get_by_label("Oaxaca").check()
    expect(status).to_have_text("2 resultados")
    expect(page.locator(".results h3")).to_have_text(["Mezcal espadín joven", "Café de olla orgánico"])
    expect(states.get_by_label("Chiapas")).to_be_checked()
    expect(states.get_by_label("Oaxaca")).to_be_checked()
    expect(states.get_by_label("Oaxaca")).to_be_focused()  # the swap kept the person's place
    expect(page.get_by_role("link", name="Ver 2 resultados")).to_be_visible()  # beside the filters
    expect(page).to_have_url(re.compile(r"state=07&state=20"))

    page.get_by_role("link", name="Quitar todos los filtros").click()
    expect(status).to_have_text("3 resultados")
    expect(page.locator(".facets input[type=checkbox]:checked")).to_have_count(0)
    expect(page.get_by_role("link", name="Quitar todos los filtros")).to_have_count(0)
    assert "state=" not in page.url
    assert refused == []
