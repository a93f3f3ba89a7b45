"""`smartcrop audit focus`: top point on the face, on the body or elsewhere, with boxes whose answer is known."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from PIL import Image

from smartcrop_audit.cli import main
from smartcrop_audit.faces import body_from_face, enlarge
from smartcrop_audit.focus import classify, keeps_face
from smartcrop_core.geometry import Box

from testsupport.images import textured

FAST = ["--resamples", "200", "-q"]


def disc_at(width: int, height: int, x: int, y: int, seed: int) -> Image.Image:
    pixels = textured(width, height, seed)
    yy, xx = np.mgrid[0:height, 0:width]
    pixels[(xx - x) ** 2 + (yy - y) ** 2 <= 40**2] = (230, 20, 30)
    return Image.fromarray(pixels.astype(np.uint8))


@pytest.fixture()
def people(tmp_path):
    """Four tall images with the red disc (the top point) on the face, the body, off the person, no face."""
    folder = tmp_path / "people"
    folder.mkdir()
    disc_at(400, 600, 200, 150, 1).save(folder / "face.png")
    disc_at(400, 600, 200, 400, 2).save(folder / "body.png")
    disc_at(400, 600, 330, 500, 3).save(folder / "away.png")
    disc_at(400, 600, 200, 300, 4).save(folder / "nobody.png")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    boxes = tmp_path / "boxes.csv"
    boxes.write_text("file,kind,left,top,width,height\n"
                     "face.png,face,150,100,100,100\n"
                     "body.png,face,170,60,60,60\n"
                     "away.png,face,20,20,60,60\n"
                     "away.png,person,0,0,150,600\n"
                     "face.png,elbow,1,1,1,1\n")
    return folder, boxes


def test_top_points_are_classified_against_given_boxes(people, tmp_path, audit_model, capsys):
    folder, boxes = people
    out = tmp_path / "out"
    assert main(["focus", "--images", str(folder), "--boxes", str(boxes), "--out", str(out), "--model", audit_model,
                 *FAST]) == 0
    errors = capsys.readouterr().err
    assert "broken.png" in errors and "line 6" in errors  # the bad image and the bad box row, one line each
    report = json.loads((out / "report.json").read_text())
    assert report["images"] == {"analysed": 4, "bad": 1, "with_face": 3, "twitter_selection": report["images"]["twitter_selection"]}
    assert report["counts"] == {"face": 1, "body": 1, "elsewhere": 1}
    assert report["shares"]["face"]["share"] == pytest.approx(1 / 3)
    assert report["shares"]["mass_keeps_face"]["count"] == 1  # only the crop around the face keeps it
    records = {json.loads(line)["file"].rsplit("/", 1)[1]: json.loads(line) for line in (out / "focus.jsonl").open()}
    assert records["body.png"]["category"] == "body" and "category" not in records["nobody.png"]
    markdown = (out / "report.md").read_text()
    assert "| top salient point on a face | 33.3% |" in markdown
    assert report["examples"] and all((out / name).is_file() for name in report["examples"])
    assert Image.open(out / "report.png").format == "PNG"


def test_without_faces_only_positions_are_reported(people, tmp_path, audit_model):
    folder, _ = people
    out = tmp_path / "out"
    assert main(["focus", "--images", str(folder), "--out", str(out), "--model", audit_model, *FAST]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["shares"] == {} and report["images"]["with_face"] == 0
    assert sum(report["vertical_position"].values()) == pytest.approx(1.0)
    assert "review the example pictures by hand" in (out / "report.md").read_text()


def test_faces_without_opencv_is_a_one_line_setup_error(people, tmp_path, audit_model, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "cv2", None)  # import cv2 now raises ImportError
    folder, _ = people
    assert main(["focus", "--images", str(folder), "--faces", "--out", str(tmp_path / "o"), "--model", audit_model]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "opencv-python-headless>=4.9,<5" in line and "[audit]" in line


def test_faces_with_opencv_runs(people, tmp_path, audit_model):
    pytest.importorskip("cv2")
    folder, _ = people
    out = tmp_path / "out"
    assert main(["focus", "--images", str(folder), "--faces", "--out", str(out), "--model", audit_model, *FAST]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["images"]["analysed"] == 4 and "Haar" in report["faces_source"]


def test_regions():
    size = (400, 600)
    face = Box(170, 60, 60, 60)
    assert enlarge(face, 0.2, size) == Box(158, 48, 84, 84)
    body = body_from_face(face, size)
    assert body == Box(110, 60, 180, 420)
    assert classify(200, 90, [face], [body], size) == "face"
    assert classify(200, 400, [face], [body], size) == "body"
    assert classify(350, 400, [face], [body], size) == "elsewhere"
    assert keeps_face(Box(0, 0, 400, 400), [face]) and not keeps_face(Box(0, 100, 400, 400), [face])
