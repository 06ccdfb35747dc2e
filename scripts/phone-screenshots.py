#!/usr/bin/env python3
"""The phone journey as a buyer sees it, photographed at 390×844 in Chromium: home → search → listing → cart →
paid order, into docs/screenshots/ (the README shows them).

    .venv/bin/market serve --demo --port 8790 &          # a fresh demo marketplace
    .venv/bin/python scripts/phone-screenshots.py http://127.0.0.1:8790

The consumer of the demo buys by SPEI transfer; the demo's administrator then records the transfer
(through the API, as the bank statement matching would), and the order page shows it paid."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright

from market.seed import DEMO_PASSWORD

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_context(locale="es-MX", viewport=PHONE, device_scale_factor=1).new_page()
        page.goto(f"{base}/entrar")
        page.get_by_label("Correo electrónico").fill("consumidora@tianguis.demo")
        page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Entrar").click()
        expect(page.get_by_role("button", name="Salir")).to_be_visible()

        page.goto(f"{base}/")
        page.screenshot(path=OUT / "1-inicio.png")
        page.goto(f"{base}/buscar?q=café de altura")
        page.screenshot(path=OUT / "2-busqueda.png")
        page.locator("main a[href^='/productos/']").first.click()
        page.screenshot(path=OUT / "3-producto.png")
        page.get_by_role("button", name="Agregar al carrito").click()
        page.get_by_role("link", name="Ver tu carrito").click()
        page.screenshot(path=OUT / "4-carrito.png", full_page=True)
        page.get_by_role("button", name="Hacer el pedido").click()
        expect(page.get_by_role("heading", name="Cómo pagar")).to_be_visible()
        order_id = page.url.rstrip("/").split("/")[-1]

        token = httpx.post(
            f"{base}/api/v1/auth/tokens", json={"email": "admin@tianguis.demo", "password": DEMO_PASSWORD}
        ).json()["token"]
        paid = httpx.post(
            f"{base}/api/v1/orders/{order_id}/offline-payment",
            headers={"Authorization": f"Bearer {token}"},
            json={"reference": "SPEI 0012345678"},
        )
        paid.raise_for_status()
        page.reload()
        page.screenshot(path=OUT / "5-pedido-pagado.png", full_page=True)
        browser.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
