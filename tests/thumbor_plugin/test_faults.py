"""A missing or corrupt model, or a bad setting, on a real Thumbor: one clear log line, images still served.

The operator's choice (docs/reliability-thumbor.md): Thumbor keeps serving every image with its own
crop (as it does for detection errors with IGNORE_SMART_ERRORS), marks those answers temporary (not
result-stored, no focal points stored, MAX_AGE_TEMP_IMAGE), logs the problem once, naming the file and
the setting to fix, and picks up a repaired model file without a restart.
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

import shutil
import time
from pathlib import Path

from testsupport.thumbor_server import ThumborServer, running_thumbor, server_conf
from testsupport.thumbor_server import expected_points, upright_analysis

STARTUP_CHECK = """
from thumbor.handler_lists import BUILTIN_HANDLERS
HANDLER_LISTS = BUILTIN_HANDLERS + ["thumbor_plugin.startup"]
"""
NAMES = ["scene.png", "meta.png", "tall.png", "filter.png", "load0.png", "load1.png"]


def plugin_lines(server: ThumborServer) -> list[str]:
    return [line for line in server.log.read_text().splitlines() if " thumbor_plugin:" in line]


def serve_everything_with_thumbors_own_crop(server: ThumborServer) -> None:
    """Every /smart/ and filter request is 200 with Thumbor's centre crop, temporary, no points stored."""
    for name in NAMES:
        plain = server.get(f"/unsafe/300x200/{name}")
        assert plain.status == 200 and "max-age=" in plain.headers.get("Cache-Control", "")
        for options in ("smart", "filters:smartcrop()"):
            response = server.get(f"/unsafe/300x200/{options}/{name}")
            assert response.status == 200, (options, name, response.status)
            assert response.image().size == (300, 200)
            assert response.body == plain.body  # exactly what Thumbor alone gives
            assert "Cache-Control" not in response.headers  # MAX_AGE_TEMP_IMAGE: not result-stored
    assert server.detector_files() == []  # nothing stored: detection is tried again later


@pytest.mark.parametrize("where", ["conf", "env"])
def test_missing_model_is_reported_once_at_start_up(where: str, images: Path, model_path: Path, tmp_path: Path) -> None:
    missing = tmp_path / "models" / "saliency.onnx"
    conf = server_conf(tmp_path, images) + STARTUP_CHECK
    if where == "conf":
        conf += f"SMARTCROP_MODEL_PATH = {str(missing)!r}\n"
    # running_thumbor passes its model path as $SMARTCROP_MODEL; without SMARTCROP_MODEL_PATH that is the one used.
    with running_thumbor(conf, tmp_path, model_path if where == "conf" else missing) as server:
        (line,) = plugin_lines(server)  # logged before the first image request
        assert ":ERROR" in line and f"saliency model not found at {missing}" in line
        assert ("SMARTCROP_MODEL_PATH in thumbor.conf" if where == "conf" else "$SMARTCROP_MODEL") in line
        serve_everything_with_thumbors_own_crop(server)
        assert plugin_lines(server) == [line]  # 12 requests without smartcrop, still one line
        assert "Traceback" not in server.log.read_text()


def test_corrupt_model_is_reported_once_at_first_use_and_a_fixed_file_is_picked_up(
    images: Path, model_path: Path, tmp_path: Path
) -> None:
    model = tmp_path / "saliency.onnx"
    model.write_bytes(model_path.read_bytes()[:5000])  # a truncated copy: onnxruntime cannot parse it
    conf = server_conf(tmp_path, images) + f"SMARTCROP_MODEL_PATH = {str(model)!r}\nSMARTCROP_MODEL_RETRY_SECONDS = 1\n"
    with running_thumbor(conf, tmp_path, model_path) as server:
        assert plugin_lines(server) == []  # no start-up check configured: first use
        serve_everything_with_thumbors_own_crop(server)
        (line,) = plugin_lines(server)  # 12 requests (and retries every second), one line
        assert ":ERROR" in line and f"cannot load saliency model {model}" in line
        assert "SMARTCROP_MODEL_PATH in thumbor.conf" in line
        assert "Traceback" not in server.log.read_text()

        shutil.copyfile(model_path, model)  # the operator deploys the right file; no restart
        time.sleep(1.2)
        meta = server.get("/unsafe/meta/300x200/smart/meta.png")
        assert meta.status == 200
        assert meta.json()["thumbor"]["focal_points"] == expected_points(upright_analysis(images / "meta.png", model_path))
        assert any("smartcrop is on again" in line for line in plugin_lines(server))


def test_invalid_setting_is_reported_once_and_images_are_served(images: Path, model_path: Path, tmp_path: Path) -> None:
    conf = server_conf(tmp_path, images) + 'SMARTCROP_RATIOS = ["16:9", "wide"]\n'
    with running_thumbor(conf, tmp_path, model_path) as server:
        serve_everything_with_thumbors_own_crop(server)
        (line,) = plugin_lines(server)
        assert ":ERROR" in line and "invalid SMARTCROP_* setting" in line and "wide" in line
