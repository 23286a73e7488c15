"""The shape rules of ARCHITECTURE.md, checked on the source: a docstring opening every module,
commits only at marked boundaries, no SQL in routers, test helpers outside conftest."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "src" / "power_portal"
MODULES = sorted(SOURCE.rglob("*.py"))
ROUTERS = sorted(SOURCE.glob("*/router.py"))
COMMIT = re.compile(r"\.commit\(\)")


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO))


@pytest.mark.parametrize("module", MODULES, ids=_relative)
def test_every_module_opens_with_a_line_saying_what_it_holds(module: Path) -> None:
    docstring = ast.get_docstring(ast.parse(module.read_text()))
    assert docstring, f"{_relative(module)} has no module docstring"
    assert docstring.splitlines()[0].strip(), f"{_relative(module)}: first line is empty"


def test_commits_happen_only_at_marked_boundaries() -> None:
    """Requests commit once in ``SessionDep``; any other commit says why on its line."""
    unmarked = [
        f"{_relative(module)}:{number}: {line.strip()}"
        for module in MODULES
        if "migrations" not in module.parts
        for number, line in enumerate(module.read_text().splitlines(), 1)
        if COMMIT.search(line) and "# boundary:" not in line and not line.strip().startswith("#")
    ]
    allowed = {"src/power_portal/db/engine.py"}  # the unit of work itself
    unmarked = [entry for entry in unmarked if entry.split(":")[0] not in allowed]
    assert unmarked == []


@pytest.mark.parametrize("router", ROUTERS, ids=_relative)
def test_routers_hold_no_sql(router: Path) -> None:
    tree = ast.parse(router.read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy")
        for alias in node.names
    }
    calls = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert not imported & {"select", "text", "insert", "update", "delete", "func"}
    assert not calls & {"execute", "scalars", "scalar", "commit", "flush"}


def test_no_test_imports_helpers_from_conftest() -> None:
    """Shared helpers live in tests/support; conftest files only declare fixtures."""
    offenders = [
        _relative(path)
        for path in sorted((REPO / "tests").rglob("*.py"))
        if re.search(
            r"^\s*(from tests(\.\w+)*\.conftest import|import tests\.conftest)",
            path.read_text(),
            re.M,
        )
    ]
    assert offenders == []
