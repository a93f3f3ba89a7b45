"""The audit is a package beside the engine: it uses smartcrop_core, the engine never uses it.

Checked twice, because each check misses what the other sees: the AST walk finds an import anywhere
in the core's source (also inside a function, which importing alone would not run); the subprocess
finds an import that no source line spells (``importlib.import_module("smartcrop_" + "audit")``).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import smartcrop_audit
import smartcrop_audit.command
import smartcrop_core

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {"smartcrop_core", "smartcrop_audit", "thumbor_plugin", "django_smartcrop", "example_site",
                    "training", "benchmarks", "reliability", "tests"}


def imported_packages(package: Path) -> dict[str, set[str]]:
    """Top-level package of every absolute import in ``package``'s modules, with the modules importing it."""
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_core_source_never_imports_the_audit():
    imports = imported_packages(Path(smartcrop_core.__file__).parent)
    assert imports.get("smartcrop_audit", set()) == set()
    assert not (Path(smartcrop_core.__file__).parent / "audit").exists()


def test_the_audit_uses_the_core_and_no_other_project_package():
    imports = imported_packages(Path(smartcrop_audit.__file__).parent)
    assert "smartcrop_core" in imports
    assert {name for name in imports if name in PROJECT_PACKAGES} == {"smartcrop_core"}


#: The one core name outside ``smartcrop_core.__all__`` the audit may use: the core's command line
#: (the ``smartcrop`` entry point sends every other subcommand there). Any other is a dependency on the
#: engine's insides.
NOT_YET_PUBLIC = {"smartcrop_core.cli.main"}


def test_the_audit_uses_the_cores_public_names():
    public = set(smartcrop_core.__all__)
    private = set()
    for path in Path(smartcrop_audit.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module):
                continue
            names = {alias.name for alias in node.names}
            if node.module == "smartcrop_core":
                assert names <= public, f"{path.name}: {names - public} are not smartcrop_core names"
            elif node.module.startswith("smartcrop_core."):
                private |= {f"{node.module}.{name}" for name in names - public}
    assert private <= NOT_YET_PUBLIC


def test_importing_every_core_module_loads_no_audit_module():
    code = (
        "import pkgutil, importlib, sys, smartcrop_core\n"
        "for module in pkgutil.walk_packages(smartcrop_core.__path__, 'smartcrop_core.'):\n"
        "    if not module.name.endswith('__main__'):\n"
        "        importlib.import_module(module.name)\n"
        "print(len([m for m in sys.modules if m.startswith('smartcrop_core')]))\n"
        "print(sorted(m for m in sys.modules if m.startswith('smartcrop_audit')))\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "SMARTCROP_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    core_modules, audit_modules = done.stdout.splitlines()
    assert int(core_modules) > 10  # the walk did import the core's modules
    assert audit_modules == "[]"


def test_the_smartcrop_console_script_is_the_dispatcher_and_the_audit_is_packaged():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    module, _, function = project["project"]["scripts"]["smartcrop"].partition(":")
    assert (module, function) == ("smartcrop_audit.command", "main")
    assert "smartcrop_audit*" in project["tool"]["setuptools"]["packages"]["find"]["include"]
    assert smartcrop_audit.command.main is getattr(sys.modules[module], function)


def test_the_dispatcher_sends_audit_to_the_audit_and_the_rest_to_the_core(capsys):
    with pytest.raises(SystemExit) as audit_help:
        smartcrop_audit.command.main(["audit", "--help"])
    assert audit_help.value.code == 0 and capsys.readouterr().out.startswith("usage: smartcrop audit")
    with pytest.raises(SystemExit) as crop_help:
        smartcrop_audit.command.main(["--help"])
    out = capsys.readouterr().out
    assert crop_help.value.code == 0 and out.startswith("usage: smartcrop [-h]") and "--width" in out
