"""Tests of the e-mail. EXAMPLES: what each kind of message is queued with, as its sender queues it (the
dicts in tests/mail/examples_*.py, one file per part of the marketplace)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def _examples() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("examples_"):
            found |= importlib.import_module(f"{__name__}.{module.name}").EXAMPLES
    return found


EXAMPLES = _examples()
