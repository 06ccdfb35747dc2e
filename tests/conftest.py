"""The suite's fixtures, one module per concern under tests/fixtures/: the database (one per pytest-xdist
worker), the app and its clients, factories, and real services (an SMTP server and a PAC speaking SW sapien's
protocol, both on loopback; localstripe, Meilisearch, Chromium and an S3 server (moto), which skip when
absent unless MARKET_REQUIRE_SERVICES=1 makes them fail). What tests share besides fixtures is in
tests/helpers.py."""

import pytest
from hypothesis import settings

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.factories",
    "tests.fixtures.stripe",
    "tests.fixtures.stripe_connect",
    "tests.fixtures.meili",
    "tests.fixtures.browser",
    "tests.fixtures.smtp",
    "tests.fixtures.pac",
    "tests.fixtures.s3",
    "tests.pages",  # the `htmx` fixture
]

# Properties are about behaviour, never speed: no per-example deadline, which a loaded machine (two xdist
# workers, two databases' runs at once) breaks on a first call that loads a catalogue or opens a connection.
settings.register_profile("market", deadline=None)
settings.load_profile("market")


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives Chromium is marked `browser` (CI runs them on one database: what they check, the
    page in a real browser, does not depend on it), and they run first: they are the longest (a phone crawl
    takes 10-25 s), and begun last they would leave one pytest-xdist worker running them alone."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)
