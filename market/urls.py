"""The path of a named page where there is no request: the links that services put in e-mails and notices.
Pages use `page.url(...)` / `url_for(...)`; both read the same route names, so a path is written once."""

from __future__ import annotations

from functools import cache
from typing import TypeGuard
from urllib.parse import urlsplit

from starlette.routing import Router

MAX_SITE_PATH = 2000


@cache
def _pages() -> Router:
    from market.app import PAGES  # imported when first asked: the pages import the services that ask

    return Router(routes=[route for module in PAGES for route in module.router.routes])


def path_for(name: str, /, **path_params: object) -> str:
    """`path_for("orders.order_page", order_id=7)` -> "/pedidos/7"."""
    return str(_pages().url_path_for(name, **{key: str(value) for key, value in path_params.items()}))


def is_site_path(url: str | None) -> TypeGuard[str]:
    r"""Whether `url` is a path of this site (where log-in, registration or a confirmation link may send a
    person next): "/carrito", never "https://evil.example", "//evil.example" or "javascript:". A backslash
    or a control character is refused too: browsers read "/\evil.example" as "//evil.example", and drop a
    tab or a line break inside an address."""
    if not url or len(url) > MAX_SITE_PATH or not url.startswith("/") or url.startswith("//"):
        return False
    if "\\" in url or any(not character.isprintable() for character in url):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc
