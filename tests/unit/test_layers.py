"""The package keeps its layers: the domain imports no framework, api/ and web/ not each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "promtel_fin"
FRAMEWORKS = ("flask", "flask_babel", "flask_login", "flask_smorest", "flask_wtf", "sqlalchemy",
              "marshmallow", "webargs", "werkzeug", "alembic")


def imports(folder: str) -> dict[str, set[str]]:
    """Map each module of a sub-package to the absolute names it imports."""
    found: dict[str, set[str]] = {}
    for path in (PACKAGE / folder).rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = parts[: len(parts) - node.level] if node.level else ()
                names.add(".".join([*base, node.module or ""]).strip("."))
        found[".".join(parts)] = names
    return found


def test_the_domain_imports_no_framework() -> None:
    offenders = {module: sorted(n for n in names if n.split(".")[0] in FRAMEWORKS)
                 for module, names in imports("domain").items()}
    assert {m: n for m, n in offenders.items() if n} == {}


@pytest.mark.parametrize(("folder", "forbidden"), [("web", "promtel_fin.api"),
                                                   ("api", "promtel_fin.web"),
                                                   ("schemas", "promtel_fin.api"),
                                                   ("schemas", "promtel_fin.web")])
def test_api_and_web_do_not_import_each_other(folder: str, forbidden: str) -> None:
    offenders = {module: sorted(n for n in names if n.startswith(forbidden))
                 for module, names in imports(folder).items()}
    assert {m: n for m, n in offenders.items() if n} == {}
