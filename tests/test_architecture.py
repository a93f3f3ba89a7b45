"""The product packages' shape: no import cycle, adapters that use only the core, short modules (issue 18).

Read from the source with ``ast`` (nothing is imported), so the checks hold without Thumbor or Django.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ["smartcrop_core", "smartcrop_audit", "thumbor_plugin", "django_smartcrop"]
ADAPTERS = ["smartcrop_audit", "thumbor_plugin", "django_smartcrop"]  # each may use the core, never another
MAX_LINES = 300


def module_files() -> dict[str, Path]:
    """Every module of the product packages by dotted name (a package by its own name, for __init__.py)."""
    modules = {}
    for package in PRODUCT:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = module_files()


def absolute(module: str, node: ast.ImportFrom) -> str:
    """The dotted name a (possibly relative) ``from ... import`` names."""
    if not node.level:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imported(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import statement loads: ``from pkg import sub`` names ``pkg.sub`` when it is a module."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    source = absolute(module, node)
    submodules = [f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in MODULES]
    return submodules if len(submodules) == len(node.names) else [source, *submodules]


def is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def module_level_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported: its body, class bodies, if/try blocks; not functions, not TYPE_CHECKING."""
    found, pending = [], list(ast.iter_child_nodes(tree))
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and not is_type_checking(node):
            pending.extend(ast.iter_child_nodes(node))
    return found


def graph(level_only: bool) -> dict[str, set[str]]:
    """Product module -> the product modules it imports (at module level, or anywhere)."""
    edges = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        nodes = module_level_imports(tree) if level_only else [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        edges[module] = {target for node in nodes for target in imported(module, node) if target in MODULES and target != module}
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path (first module repeated at the end), or [] when there is none."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = "open"
        stack.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[module] = "done"
        stack.pop()
        return []

    for module in sorted(edges):
        if module not in state and (cycle := visit(module)):
            return cycle
    return []


def test_the_cycle_finder_finds_a_cycle_and_passes_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_relative_imports_are_resolved() -> None:
    node = ast.parse("from . import conf").body[0]
    assert absolute("django_smartcrop.fields", node) == "django_smartcrop"
    assert imported("django_smartcrop.fields", node) == ["django_smartcrop.conf"]
    assert absolute("smartcrop_core", ast.parse("from .api import analyze").body[0]) == "smartcrop_core.api"


def test_no_import_cycle_at_module_level() -> None:
    assert find_cycle(graph(level_only=True)) == []


def test_no_cycle_either_through_imports_inside_functions() -> None:
    """A function-level import that dodges a cycle still ties the two modules together."""
    assert find_cycle(graph(level_only=False)) == []


def package(module: str) -> str:
    return module.split(".")[0]


def test_the_core_imports_no_other_product_package() -> None:
    used = {package(t) for m, targets in graph(level_only=False).items() if package(m) == "smartcrop_core" for t in targets}
    assert used <= {"smartcrop_core"}


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_an_adapter_imports_only_the_core_and_itself(adapter: str) -> None:
    crossing = sorted(f"{m} -> {t}" for m, targets in graph(level_only=False).items() if package(m) == adapter
                      for t in targets if package(t) not in {adapter, "smartcrop_core"})
    assert crossing == []


def test_no_product_module_is_over_300_lines() -> None:
    long = {str(path.relative_to(REPO)): n for path in MODULES.values() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def top_level_imports(folder: str) -> dict[str, set[str]]:
    """File of ``folder`` -> the top-level names it imports anywhere (relative imports stay inside, so are left out)."""
    found = {}
    for path in sorted((REPO / folder).rglob("*.py")):
        nodes = [n for n in ast.walk(ast.parse(path.read_text(), str(path))) if isinstance(n, (ast.Import, ast.ImportFrom))]
        names = {a.name for n in nodes if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in nodes if isinstance(n, ast.ImportFrom) and not n.level and n.module}
        found[str(path.relative_to(REPO))] = {name.split(".")[0] for name in names}
    return found


def importers(folder: str, of: set[str]) -> list[str]:
    return sorted(f"{path} -> {sorted(names & of)}" for path, names in top_level_imports(folder).items() if names & of)


def test_testsupport_imports_neither_tests_nor_reliability() -> None:
    assert importers("testsupport", {"tests", "reliability"}) == []


def test_reliability_imports_nothing_from_tests() -> None:
    assert importers("reliability", {"tests"}) == []


def public_core_names() -> set[str]:
    """``smartcrop_core.__all__``, read from the source."""
    tree = ast.parse((REPO / "smartcrop_core" / "__init__.py").read_text())
    assigned = next(n.value for n in tree.body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "__all__")
    return set(ast.literal_eval(assigned))


def test_the_example_site_uses_the_core_by_its_public_names() -> None:
    """The example site is what a newcomer copies: it imports ``from smartcrop_core import name``, never a submodule."""
    public = public_core_names()
    private = sorted(f"{path.relative_to(REPO)}: {node.module}.{alias.name}"
                     for path in sorted((REPO / "example_site").rglob("*.py"))
                     for node in ast.walk(ast.parse(path.read_text(), str(path)))
                     if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "smartcrop_core"
                     for alias in node.names if node.module != "smartcrop_core" or alias.name not in public)
    assert private == []
