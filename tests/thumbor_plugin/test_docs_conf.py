"""The thumbor.conf documented for production: thumbor-doctor imports every plugin module from it.

The conf is read from the Thumbor section of the docs (docs/thumbor.md, or README.md once folded in):
the first ```python block that sets DETECTORS to our detector.
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

import importlib.util
import re
import subprocess
import sys
from pathlib import Path


from testsupport.thumbor_server import REPO, subprocess_env

CONF_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def documented_conf() -> str:
    for name in ("docs/thumbor.md", "README.md"):
        path = REPO / name
        if path.is_file():
            for block in CONF_BLOCK.findall(path.read_text(encoding="utf-8")):
                if 'DETECTORS = ["thumbor_plugin.detector"]' in block:
                    return block
    pytest.skip("no documented production thumbor.conf found")


def test_documented_conf_is_production_shaped() -> None:
    conf = documented_conf()
    assert "ALLOW_UNSAFE_URL = False" in conf and "SECURITY_KEY" in conf
    assert re.search(r"^RESULT_STORAGE = \"thumbor\.result_storages\.", conf, re.M)
    assert "RESPECT_ORIENTATION = True" in conf


def test_thumbor_doctor_accepts_the_documented_conf(tmp_path: Path, model_path: Path) -> None:
    conf = tmp_path / "thumbor.conf"
    conf.write_text(documented_conf())
    result = subprocess.run(
        [sys.executable, "-c", "from thumbor.doctor import main; main()", "-n", "-c", str(conf)],
        capture_output=True, text=True, env=subprocess_env(model_path), timeout=120,
    )
    output = result.stdout + result.stderr
    for module in ("thumbor_plugin.detector", "thumbor_plugin.filters.smartcrop"):
        assert f"✅ {module}" in output, output
    assert "❎ thumbor_plugin" not in output
    if all(importlib.util.find_spec(name) for name in ("pycurl", "cairosvg")):
        assert result.returncode == 0, output  # with Thumbor's optional libraries: no complaint at all



def test_thumbor_docs_exist_where_the_package_and_the_code_point() -> None:
    guide = REPO / "docs" / "thumbor.md"
    assert guide.is_file()
    for source in ("pyproject.toml", "thumbor_plugin/queued_detector.py", "README.md"):
        assert "docs/thumbor.md" in (REPO / source).read_text(encoding="utf-8"), source
    text = guide.read_text(encoding="utf-8")
    assert "--store thumbor_plugin.remotecv_store" in text  # the worker command that keeps the analysis


def test_trial_tables_say_unsafe_results_need_result_storage_stores_unsafe() -> None:
    for name in ("README.md", "docs/thumbor.md"):
        text = (REPO / name).read_text(encoding="utf-8")
        trial = text[text.index("ALLOW_UNSAFE_URL = True`"):]
        assert "RESULT_STORAGE_STORES_UNSAFE = True" in trial[:2000], name
