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


from reliability.thumbor_server import REPO, subprocess_env

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

