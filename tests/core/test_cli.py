"""The smartcrop command on folders, with bad files among good ones."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PIL import Image

from smartcrop_core.cli import main

from .images import encode, scene


@pytest.fixture()
def photos(tmp_path):
    folder = tmp_path / "photos"
    (folder / "trip").mkdir(parents=True)
    scene(400, 300).save(folder / "a.jpg")
    scene(300, 400, spot=(0.3, 0.7)).save(folder / "trip" / "b.png")
    (folder / "trip" / "broken.jpg").write_bytes(encode(scene(), "JPEG")[:1500])
    (folder / "notes.txt").write_text("not an image, and not picked up from a folder")
    return folder


def test_folder_is_cropped_recursively_and_a_bad_file_fails_alone(photos, tmp_path, capsys):
    out = tmp_path / "out"
    code = main([str(photos), "-o", str(out), "-r", "16:9", "-r", "1x1", "-w", "200", "-q"])
    assert code == 1
    error_lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert any("broken.jpg" in line for line in error_lines)
    assert error_lines[-1] == "smartcrop: 1 of 3 file(s) failed"
    assert Image.open(out / "a_16x9_w200.jpg").size == (200, 112)
    assert Image.open(out / "a_1x1_w200.jpg").size == (200, 200)
    assert Image.open(out / "trip" / "b_16x9_w200.png").size == (200, 112)
    assert not list(out.rglob("broken*")) and not list(out.rglob(".smartcrop-*"))


def test_json_prints_one_analysis_per_line(photos, capsys):
    code = main([str(photos / "a.jpg"), "--json", "-r", "4:5"])
    assert code == 0
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["file"].endswith("a.jpg") and list(record["analysis"]["boxes"]) == ["4:5"]


def test_debug_picture_and_full_size_crops(photos, tmp_path):
    out = tmp_path / "out"
    assert main([str(photos / "a.jpg"), "-o", str(out), "--debug", "--format", "png", "-q"]) == 0
    # A JPEG written as PNG keeps its extension in the name, so a.jpg and a.png never collide.
    assert Image.open(out / "a-jpg_debug.png").size == (400, 300)
    assert Image.open(out / "a-jpg_9x16.png").size == (169, 300)
    assert len(list(out.iterdir())) == 5  # four default ratios + the debug picture


def test_usage_errors_exit_2(photos, capsys):
    with pytest.raises(SystemExit) as caught:
        main([str(photos)])
    assert caught.value.code == 2
    assert main([str(photos), "--json", "-r", "banana"]) == 2
    assert "not an aspect ratio" in capsys.readouterr().err


def test_missing_model_is_one_clear_line(photos, tmp_path, capsys):
    assert main([str(photos), "--json", "--model", str(tmp_path / "none.onnx")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "none.onnx" in line and "SMARTCROP_MODEL" in line


def test_console_script_runs(photos):
    done = subprocess.run([sys.executable, "-m", "smartcrop_core", str(photos / "trip" / "broken.jpg"), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "cannot decode" in done.stderr
