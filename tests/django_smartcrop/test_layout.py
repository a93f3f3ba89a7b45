"""django_smartcrop's shape (issue 18): no import cycle, no function-level import to dodge one, only the
core's public names (imported from ``smartcrop_core`` itself), every module under 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import smartcrop_core

PACKAGE = Path(__file__).resolve().parents[2] / "django_smartcrop"
#: Function-level imports that are not there to dodge a cycle: ``ready()`` imports what imports models.
ALLOWED_LATE = {("apps", "signal_handlers")}


def modules() -> dict[str, ast.Module]:
    """Dotted name inside the package (``fields``, ``integrations.wagtail``) -> its syntax tree."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            name = ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix("__init__").rstrip(".")
            found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def own_targets(module: str, node: ast.ImportFrom, known: set[str]) -> set[str]:
    """The package's modules an ``import from`` names (relative or absolute)."""
    if node.level:
        base = module.split(".")[: -node.level] if module else []
        prefix = ".".join(base + ([node.module] if node.module else []))
    elif (node.module or "").startswith("django_smartcrop"):
        prefix = node.module.removeprefix("django_smartcrop").lstrip(".")  # type: ignore[union-attr]
    else:
        return set()
    named = {f"{prefix}.{alias.name}".lstrip(".") for alias in node.names} & known
    return named or ({prefix} & known)


def import_nodes(tree: ast.Module) -> tuple[list[ast.ImportFrom], list[ast.ImportFrom]]:
    """(module-level imports outside TYPE_CHECKING, imports inside functions)."""
    top: list[ast.ImportFrom] = []
    late: list[ast.ImportFrom] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.ImportFrom):
                (late if inside else top).append(child)
            visit(child, inside)

    visit(tree, False)
    return top, late


def test_the_import_graph_has_no_cycle():
    """Function-level imports count too: seven of them once held a fields -> processing/tasks -> fields cycle."""
    trees = modules()
    graph = {name: set().union(*[own_targets(name, node, set(trees)) for node in sum(import_nodes(tree), [])])
             - {name} for name, tree in trees.items()}
    done: set[str] = set()

    def walk(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join(path[path.index(name):] + (name,))}"
        if name not in done:
            for target in graph[name]:
                walk(target, path + (name,))
            done.add(name)

    for name in graph:
        walk(name, ())


def test_no_function_level_import_of_the_package_but_in_ready():
    trees = modules()
    late = {(name, target) for name, tree in trees.items() for node in import_nodes(tree)[1]
            for target in own_targets(name, node, set(trees))}
    assert late == ALLOWED_LATE


def test_only_public_core_names_from_the_core_package():
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("smartcrop_core"):
                assert node.module == "smartcrop_core", f"{name} imports {node.module}"
                assert {alias.name for alias in node.names} <= set(smartcrop_core.__all__), name
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith("smartcrop_core.") for alias in node.names), name


def test_every_module_is_under_300_lines():
    long = {path.name: lines for path in PACKAGE.rglob("*.py")
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 300}
    assert not long
