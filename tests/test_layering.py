"""The house's layering: webapp's packages depend one way only (ARCHITECTURE.md)."""

import ast
from collections import defaultdict
from pathlib import Path

import webapp

ROOT = Path(webapp.__file__).parent


def _area(path: Path) -> str:
    """The package (or top-level module) of webapp a source file belongs to."""
    first = path.relative_to(ROOT).parts[0]
    return first.removesuffix(".py")


def _imported_areas(path: Path) -> set[str]:
    """The other areas of webapp that a file imports, wherever the import statement is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
            if node.module == "webapp":  # from webapp import cli, mail
                names = [f"webapp.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(name.split(".")[1] for name in names if name.startswith("webapp."))
    return found - {_area(path)}


def area_imports() -> dict[str, set[str]]:
    """Which areas each area of webapp imports (webapp/__init__, the app factory, left out:
    it wires every area together)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        if path != ROOT / "__init__.py":
            graph[_area(path)] |= _imported_areas(path)
    return graph


def _cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path of imports that leads from `start` back to it, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        area, path = stack.pop()
        for target in sorted(graph.get(area, ())):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_no_two_areas_import_each_other_even_through_others():
    """No import cycle between webapp's packages and modules (models, mail, auth and
    calendars below the feature packages, never importing them back)."""
    graph = area_imports()
    cycles = {area: cycle for area in sorted(graph) if (cycle := _cycle_from(graph, area))}
    assert cycles == {}


def test_mail_and_auth_import_no_feature_package():
    """The outbox and accounts are used by the features, never the other way round."""
    features = {"core", "events", "home", "missions", "participation", "regions",
                "registrations", "mail_admin"}
    graph = area_imports()
    assert graph["mail"] & (features | {"auth"}) == set()
    assert graph["auth"] & features == set()
