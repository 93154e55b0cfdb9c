"""Layers point one way: the domain knows no framework, nothing below an edge imports an edge,
and edges change nothing themselves (no unit of work outside a stage)."""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EDGES = ("acara.cli", "acara.web", "flows")
FRAMEWORKS = ("prefect", "jinja2", "aiosmtplib", "fastapi", "starlette", "acara", "flows")
UNIT_OF_WORK = {("acara.db", "unit_of_work"), ("acara.bus", "publishing")}
# The CLI and the web app read through the stages too: no session of their own. What they may
# take from acara.db is the schema and its health, which no session reads.
SCHEMA = {"upgrade", "sqlite_path", "missing_message", "check_health", "DatabaseLost"}


def modules(*folders: str) -> Iterator[tuple[str, Path]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield name.removesuffix(".__init__"), path


def imports(path: Path) -> Iterator[tuple[str, str]]:
    """(module, name) for every import in a file; name is "" for `import module`."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, "") for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from ((node.module, alias.name) for alias in node.names)
            yield from ((f"{node.module}.{alias.name}", "") for alias in node.names)


def under(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def test_the_domain_imports_no_framework_and_nothing_of_acara() -> None:
    wrong = [
        f"{name} imports {module}"
        for name, path in modules("models")
        for module, _ in imports(path)
        if under(module, FRAMEWORKS)
    ]
    assert wrong == []


def test_nothing_below_an_edge_imports_an_edge() -> None:
    wrong = [
        f"{name} imports {module}"
        for name, path in modules("acara", "models")
        if not under(name, EDGES)
        for module, _ in imports(path)
        if under(module, EDGES)
    ]
    assert wrong == []


def test_edges_open_no_unit_of_work_of_their_own() -> None:
    wrong = [
        f"{name} imports {module}.{imported}"
        for name, path in [*modules("acara/cli", "acara/web"), *modules("flows")]
        for module, imported in imports(path)
        if (module, imported) in UNIT_OF_WORK
    ]
    assert wrong == []


def _takes_a_session(module: str, name: str) -> bool:
    thing = getattr(importlib.import_module(module), name, None)
    if not callable(thing) or inspect.isclass(thing):
        return False  # types, enums and constants are fine
    return "session" in inspect.signature(thing).parameters


def test_the_cli_and_the_web_app_read_through_the_stages() -> None:
    wrong = [
        f"{name} imports {module}{'.' + imported if imported else ''}"
        for name, path in modules("acara/cli", "acara/web")
        for module, imported in imports(path)
        if under(module, ("sqlmodel",))
        or (under(module, ("acara.db",)) and (imported or module.rpartition(".")[2]) not in SCHEMA)
        or (under(module, ("models",)) and imported and _takes_a_session(module, imported))
    ]
    assert wrong == []
