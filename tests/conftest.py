"""The suite's fixtures, one module per concern under tests/fixtures/: the database (one per pytest-xdist
worker), the app and its clients, factories, and real services (localstripe, Meilisearch, Chromium) that
skip when absent, unless MARKET_REQUIRE_SERVICES=1 makes them fail. What tests share besides fixtures is in
tests/helpers.py."""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.factories",
    "tests.fixtures.stripe",
    "tests.fixtures.meili",
    "tests.fixtures.browser",
    "tests.pages",  # the `htmx` fixture
]
