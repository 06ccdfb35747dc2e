"""Every page of every persona on a 390×844 phone, in Chromium, on the demo marketplace: none is wider than
the screen (nothing to scroll sideways), and axe-core finds no serious or critical accessibility violation.

Each persona starts from its home pages and follows the links it is shown, one page per route (a listing, an
order, an organization's page stand for all the others of their kind)."""

from __future__ import annotations

import re
import subprocess
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlmodel import Session

from market.config import Settings
from market.demo import DEMO_PASSWORD
from market.seed import load_demo
from tests.helpers import ROOT, require_service, run_search_worker

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PERSONAS = {  # who, and where each starts
    "visitante": (None, ["/", "/catalogo", "/buscar?q=cafe", "/productores", "/impacto", "/registro"]),
    "consumidora": ("consumidora@tianguis.demo", ["/carrito", "/pedidos", "/panel"]),
    "productora": ("cumbres-huatusco@productores.demo", ["/panel", "/panel/o/cumbres-huatusco"]),
    "institución": ("compras@escuela.demo", ["/panel", "/demandas"]),
    "administración": ("admin@tianguis.demo", ["/admin"]),
}
# Not pages: files, feeds, the API, leaving; nor the language switch (the same pages in English).
NOT_PAGES = re.compile(
    r"^/(api|static|media|healthz|metrics|docs|redoc|openapi|salir|idioma)\b|\.(csv|xlsx|xml|pdf|zip|json)$"
    r"|/(exportar|descargar|pdf|xml|zip|csv)\b"
)
PAGES_PER_PERSONA = 40


def route_of(path: str) -> str:
    """The route a path stands for: ids and slugs (words joined by hyphens) are one of many."""
    return "/".join(
        "*" if segment.isdigit() or "-" in segment else segment for segment in urlsplit(path).path.split("/")
    )


@pytest.fixture
def axe_script() -> Path:
    try:
        found = subprocess.run(
            [ROOT / "scripts/fetch-axe.sh"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        found = ""
    require_service(bool(found), "axe-core (scripts/fetch-axe.sh needs npm)")
    return Path(found)


@pytest.fixture
def demo(app: FastAPI, session: Session, settings: Settings) -> None:
    load_demo(session, settings)
    session.commit()
    run_search_worker(app)


def serious_violations(page: Page, axe: Path) -> list[str]:
    page.add_script_tag(path=axe)
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3).map(n => n.target.join(" ")))"""
    )
    return list(found)


def fill_the_cart(page: Page, base: str) -> None:
    for query in ("cafe", "miel"):  # two producers' lines, each with its delivery choice
        page.goto(f"{base}/buscar?q={query}")
        page.locator("main a[href^='/productos/']").first.click()
        page.get_by_role("button", name="Agregar al carrito").click()
        expect(page.get_by_role("link", name="Ver tu carrito")).to_be_visible()


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_page_fits_a_phone_and_passes_axe(
    browser: Any, live_server: str, demo: None, axe_script: Path, persona: str
) -> None:
    email, starts = PERSONAS[persona]
    context = browser.new_context(locale="es-MX", viewport=PHONE, bypass_csp=True)  # to run axe in the page
    page = context.new_page()
    if email:
        page.goto(f"{live_server}/entrar")
        page.get_by_label("Correo electrónico").fill(email)
        page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Entrar").click()
        expect(page.get_by_role("button", name="Salir")).to_be_visible()
    if persona == "consumidora":
        fill_the_cart(page, live_server)

    queue, routes, problems = deque(starts), set[str](), []
    while queue and len(routes) < PAGES_PER_PERSONA:
        path = queue.popleft()
        if route_of(path) in routes or NOT_PAGES.search(urlsplit(path).path):
            continue
        routes.add(route_of(path))
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status < 500, f"{path}: {response and response.status}"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path} is {width} px wide")
        problems += [f"{path}: {violation}" for violation in serious_violations(page, axe_script)]
        for href in page.eval_on_selector_all(
            "main a[href]:not([download]), header a[href]:not([download])", "links => links.map(a => a.href)"
        ):
            link = urlsplit(urljoin(live_server + path, href))
            if link.netloc == urlsplit(live_server).netloc:
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    context.close()
    assert len(routes) >= len(starts)
    assert problems == []


def test_the_cart_fits_a_phone(browser: Any, live_server: str, demo: None) -> None:
    """Every line's price and amount on the screen (not in a table to scroll), each label above its field, and
    where and when to pick up."""
    page = browser.new_context(locale="es-MX", viewport=PHONE).new_page()
    page.goto(f"{live_server}/entrar")
    page.get_by_label("Correo electrónico").fill("consumidora@tianguis.demo")
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    fill_the_cart(page, live_server)
    page.goto(f"{live_server}/carrito")
    amounts = page.locator("td[data-label='Importe']")
    expect(amounts).to_have_count(2)
    for cell in [*amounts.all(), *page.locator("td[data-label='Precio']").all()]:
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        expect(cell).to_be_visible()
    label, field = page.locator("label[for=ship_to]").bounding_box(), page.locator("#ship_to").bounding_box()
    assert label is not None and field is not None and label["y"] + label["height"] <= field["y"]
    select = page.get_by_role("combobox", name="Entrega").first
    assert select.evaluate("s => s.scrollWidth <= s.clientWidth")
    expect(page.locator(".pickup-info").first).to_contain_text("Horario:")  # where and when, before paying
