"""Fixtures: test images made with Pillow, and one real Thumbor server on 127.0.0.1 for the session.

The server and its configuration come from testsupport/thumbor_server.py (the reliability scripts
start the same one). Tests talk to it over HTTP only (no mocks).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from testsupport.images import target_scene as scene
from testsupport.thumbor_server import ThumborServer, model_file, running_thumbor, server_conf


@pytest.fixture(scope="session")
def model_path() -> Path:
    path = model_file()
    if not path.is_file():
        pytest.skip(f"saliency model not found at {path}: the Thumbor tests need the shipped model")
    return path


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The loader's root folder with every test image."""
    root = tmp_path_factory.mktemp("images")
    scene(800, 600, 1).save(root / "scene.png")
    scene(800, 600, 2, spot=(0.3, 0.2)).save(root / "meta.png")
    scene(600, 900, 3, spot=(0.4, 0.75)).save(root / "tall.png")
    scene(800, 600, 4, spot=(0.8, 0.25)).save(root / "filter.png")
    Image.new("RGB", (640, 480), (128, 128, 128)).save(root / "flat.png")
    for index in range(5):
        scene(640, 480, 10 + index, spot=(0.2 + 0.15 * index, 0.3 + 0.1 * index)).save(root / f"load{index}.png")
    # Upright 800x600, stored sideways (600x800) with EXIF orientation 6, as phones write it.
    upright = scene(800, 600, 5, spot=(0.75, 0.25))
    exif = Image.Exif()
    exif[0x0112] = 6
    upright.transpose(Image.Transpose.ROTATE_90).save(root / "rotated.jpg", quality=95, exif=exif)
    good = io.BytesIO()
    scene(400, 300, 6).save(good, "JPEG")
    (root / "corrupt.jpg").write_bytes(good.getvalue()[:600] + b"\x00" * 200)  # broken header
    (root / "truncated.jpg").write_bytes(good.getvalue()[: len(good.getvalue()) * 2 // 3])  # header fine, data cut
    (root / "garbage.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG" * 20)
    (root / "notes.txt").write_text("not an image at all\n" * 50)
    return root


@pytest.fixture(scope="session")
def thumbor_server(model_path: Path, images: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThumborServer]:
    root = tmp_path_factory.mktemp("thumbor")
    with running_thumbor(server_conf(root, images), root, model_path) as server:
        yield server
