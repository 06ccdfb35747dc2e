"""The boundaries between layers, checked on the source as an import linter would: the ledger imports
nothing from disputes (what a dispute holds is passed in from above it, by `market.payments.service`), and
the search engines (`search/`) import nothing from the application (`market/`); and templates compare
statuses as members."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, wherever the import is (inside a function or a TYPE_CHECKING block
    too); `from a import b` counts as importing both `a` and `a.b`, since `b` may be a module."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def forbidden_imports(package: str, forbidden: str) -> dict[str, list[str]]:
    """{module of `package`: what it imports from `forbidden`} for every module that does."""
    found = {}
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        bad = sorted(m for m in imports_of(path) if m == forbidden or m.startswith(forbidden + "."))
        if bad:
            found[module_name(path)] = bad
    return found


def test_the_checker_sees_every_form_of_import() -> None:
    assert {"market.disputes", "market.disputes.holds"} <= imports_of(ROOT / "market/payments/service.py")
    assert "market.ledger" in forbidden_imports("market.payments", "market.ledger")["market.payments.service"]


def test_the_ledger_imports_nothing_from_disputes() -> None:
    assert forbidden_imports("market.ledger", "market.disputes") == {}


def test_the_search_engines_import_nothing_from_the_application() -> None:
    assert (ROOT / "search/engine.py").exists()
    assert forbidden_imports("search", "market") == {}


STATUS_AS_STRING = re.compile(
    r"""(?:status|equalto['"],)\s*(?:==|!=|in|not in)?\s*\(?\s*['"](?:[a-z]+_)*[a-z]+['"]"""
)


def test_templates_compare_statuses_as_members_not_strings() -> None:
    """`order.status == OrderStatus.INVOICED`, never `== "invoiced"`: a renamed or mistyped status then fails
    loudly (an undefined member) instead of silently never matching."""
    assert STATUS_AS_STRING.search('{% if order.status == "invoiced" %}')
    assert STATUS_AS_STRING.search("""selectattr("status", "equalto", "pending_acceptance")""")
    assert STATUS_AS_STRING.search("""{% if demand.status in ("open", "closed") %}""")
    assert not STATUS_AS_STRING.search("{% if order.status == OrderStatus.INVOICED %}")
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in STATUS_AS_STRING.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
