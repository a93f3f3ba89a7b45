"""django-imagekit, easy-thumbnails and sorl-thumbnail, each in a real small project (SQLite, file
storage, the library's own template tags): with our one setting, the crop of a photo whose face is off
centre holds the face, where the library's default (centre) crop loses it; the model runs once per
source for two sizes; a bad file fails as the library fails without us."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PORTRAIT = ROOT / "samples" / "grace_hopper.jpg"
BACKGROUND = 128
LIBRARIES = {"imagekit": "imagekit", "easy_thumbnails": "easy_thumbnails", "sorl": "sorl.thumbnail"}


def off_centre_face() -> Image.Image:
    """A 900 x 300 flat grey picture with a portrait (a face) pasted near its right edge."""
    rng = np.random.default_rng(1)
    canvas = Image.fromarray(rng.normal(BACKGROUND, 3, (300, 900, 3)).clip(0, 255).astype(np.uint8))
    portrait = Image.open(PORTRAIT).convert("RGB")
    portrait = portrait.resize((round(portrait.width * 300 / portrait.height), 300), Image.LANCZOS)
    canvas.paste(portrait, (900 - portrait.width - 24, 0))
    return canvas


def subject_share(path: str) -> float:
    """Share of a thumbnail's pixels that are not the grey background (that belong to the portrait)."""
    pixels = np.asarray(Image.open(path).convert("RGB"), dtype=int)
    return float((np.abs(pixels - BACKGROUND).max(axis=2) > 25).mean())


def render(library: str, work: Path, name: str, plain: bool = False) -> dict:
    env = dict(os.environ, SMARTCROP_TEST_LIBRARY=library, SMARTCROP_TEST_WORK=str(work),
               SMARTCROP_TEST_PLAIN="1" if plain else "0", OMP_NUM_THREADS="1", SMARTCROP_THREADS="1",
               PYTHONPATH=str(ROOT))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-m", "tests.integrations.project.render", name], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def library(name: str) -> str:
    pytest.importorskip(LIBRARIES[name].split(".")[0], reason=f"{name} not installed (pip install -e '.[{name}]')")
    return name


@pytest.fixture(params=sorted(LIBRARIES))
def project(request, tmp_path):
    name = library(request.param)
    (tmp_path / "media" / "photos").mkdir(parents=True)
    off_centre_face().save(tmp_path / "media" / "photos" / "face.jpg", quality=92)
    (tmp_path / "media" / "photos" / "bad.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg" * 10)
    return name, tmp_path


def test_crop_holds_the_face_the_default_crop_loses(project):
    name, work = project
    result = render(name, work, "photos/face.jpg")
    assert Image.open(result["smart"]).size == (200, 200) and Image.open(result["small"]).size == (100, 150)
    assert subject_share(result["default"]) < 0.05, "the default crop should lose the face"
    assert subject_share(result["smart"]) > 0.6
    assert subject_share(result["small"]) > 0.6
    assert result["model_runs"] == 1, "the model must run once per source, not once per size"


def test_a_bad_file_fails_as_the_library_does_without_us(project):
    name, work = project
    ours, plain = render(name, work, "photos/bad.jpg"), render(name, work, "photos/bad.jpg", plain=True)
    assert ours.get("error") == plain.get("error")
    assert {k: bool(v) for k, v in ours.items() if k != "model_runs"} == \
        {k: bool(v) for k, v in plain.items() if k != "model_runs"}
