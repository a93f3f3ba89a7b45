"""Fixtures: test images made with Pillow, and one real Thumbor server on 127.0.0.1 for the session.

The server is ``python -m thumbor.server`` in a subprocess with a generated thumbor.conf: the file
loader and file storage in a temp folder, a file result storage, our detector and filters, and
RESPECT_ORIENTATION on. Tests talk to it over HTTP only (no mocks).
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from PIL import Image, ImageDraw

from smartcrop_core.model import DEFAULT_MODEL_PATH

SECURITY_KEY = "test-security-key"
REPO = Path(__file__).resolve().parents[2]


def model_file() -> Path:
    """The model the server and the expectations both use: $SMARTCROP_MODEL or the shipped one."""
    return Path(os.environ.get("SMARTCROP_MODEL") or DEFAULT_MODEL_PATH)


@pytest.fixture(scope="session")
def model_path() -> Path:
    path = model_file()
    if not path.is_file():
        pytest.skip(f"saliency model not found at {path}: the Thumbor tests need the shipped model")
    return path


def scene(width: int, height: int, seed: int, spot: tuple[float, float] = (0.72, 0.3)) -> Image.Image:
    """A textured background with one high-contrast object off centre (where a crop should go)."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    base = 90 + 40 * xs / width + 30 * ys / height
    pixels = np.stack([base, base * 0.9, base * 0.8], axis=-1) + rng.normal(0, 6, (height, width, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    cx, cy, r = spot[0] * width, spot[1] * height, 0.09 * min(width, height)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(230, 30, 30), outline=(255, 255, 255), width=4)
    draw.ellipse([cx - r / 3, cy - r / 3, cx + r / 3, cy + r / 3], fill=(20, 20, 20))
    draw.rectangle([0.1 * width, 0.75 * height, 0.16 * width, 0.83 * height], fill=(250, 220, 40))
    return image


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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> dict:
        return json.loads(self.body)

    def image(self) -> Image.Image:
        return Image.open(io.BytesIO(self.body))


@dataclass
class ThumborServer:
    """A running Thumbor: its base URL, its folders, its log file and its process."""

    base: str
    root: Path
    log: Path
    process: subprocess.Popen | None = None

    def get(self, path: str, timeout: float = 60.0) -> Response:
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as reply:
                return Response(reply.status, reply.read(), dict(reply.headers))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), dict(error.headers))

    def detector_files(self) -> list[Path]:
        return sorted((self.root / "storage").rglob("*.detectors.txt"))


def server_conf(root: Path, images: Path) -> str:
    return f"""
from thumbor.filters import BUILTIN_FILTERS

SECURITY_KEY = {SECURITY_KEY!r}
ALLOW_UNSAFE_URL = True  # the tests use /unsafe/ URLs; production configs must not
LOADER = "thumbor.loaders.file_loader"
FILE_LOADER_ROOT_PATH = {str(images)!r}
STORAGE = "thumbor.storages.file_storage"
FILE_STORAGE_ROOT_PATH = {str(root / "storage")!r}
RESULT_STORAGE = "thumbor.result_storages.file_storage"
RESULT_STORAGE_FILE_STORAGE_ROOT_PATH = {str(root / "results")!r}
RESPECT_ORIENTATION = True
DETECTORS = ["thumbor_plugin.detector"]
FILTERS = BUILTIN_FILTERS + ["thumbor_plugin.filters.smartcrop", "thumbor_plugin.filters.smartcrop_debug"]
SMARTCROP_THREADPOOL_SIZE = 2
QUALITY = 95
"""


def subprocess_env(model_path: Path) -> dict[str, str]:
    """One inference thread, the shipped model, and this checkout's code first on the path."""
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, OMP_NUM_THREADS="1", SMARTCROP_THREADS="1", SMARTCROP_MODEL=str(model_path), PYTHONPATH=python_path)


def wait_until(check, what: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not start within {timeout:.0f} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_thumbor(conf_text: str, root: Path, model_path: Path) -> Iterator[ThumborServer]:
    """``python -m thumbor.server`` on a free loopback port with this config, stopped on exit."""
    conf = root / "thumbor.conf"
    conf.write_text(conf_text)
    port = free_port()
    log = root / "thumbor.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "thumbor.server", "--ip", "127.0.0.1", "--port", str(port), "--conf", str(conf), "-l", "info"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=subprocess_env(model_path),
            cwd=root,
        )
    server = ThumborServer(f"http://127.0.0.1:{port}", root, log, process)
    try:
        wait_until(lambda: server.get("/healthcheck", timeout=2).status == 200, "thumbor", process, log)
        yield server
    finally:
        stop(process)


@pytest.fixture(scope="session")
def thumbor_server(model_path: Path, images: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThumborServer]:
    root = tmp_path_factory.mktemp("thumbor")
    with running_thumbor(server_conf(root, images), root, model_path) as server:
        yield server
