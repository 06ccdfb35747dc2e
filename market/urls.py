"""The path of a named page where there is no request: the links that services put in e-mails and notices.
Pages use `page.url(...)` / `url_for(...)`; both read the same route names, so a path is written once."""

from __future__ import annotations

from functools import cache

from starlette.routing import Router


@cache
def _pages() -> Router:
    from market.app import PAGES  # imported when first asked: the pages import the services that ask

    return Router(routes=[route for module in PAGES for route in module.router.routes])


def path_for(name: str, /, **path_params: object) -> str:
    """`path_for("orders.order_page", order_id=7)` -> "/pedidos/7"."""
    return str(_pages().url_path_for(name, **{key: str(value) for key, value in path_params.items()}))
