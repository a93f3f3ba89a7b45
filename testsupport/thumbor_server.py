"""A real Thumbor server on 127.0.0.1 for the test suite, the reliability scripts and the benchmarks, and what to expect of it.

``running_thumbor`` starts ``python -m thumbor.server`` in a subprocess with a generated thumbor.conf
(``server_conf``: the file loader and file storage in a temp folder, a file result storage, our detector
and filters, RESPECT_ORIENTATION on) and stops it on exit; callers talk to it over HTTP only. The
expectations (``upright_analysis``, ``expected_points``, ``assert_same_picture``) say what smartcrop_core
gives for the pixels Thumbor crops, so a served answer can be checked against the core.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from PIL import Image, ImageOps

import smartcrop_core
from smartcrop_core import DEFAULT_RATIOS, Analysis
from smartcrop_core.model import DEFAULT_MODEL_PATH
from testsupport.ports import free_port
from thumbor_plugin.points import focus_points

SECURITY_KEY = "test-security-key"
REPO = Path(__file__).resolve().parents[1]


def model_file() -> Path:
    """The model the server and the expectations both use: $SMARTCROP_MODEL or the shipped one."""
    return Path(os.environ.get("SMARTCROP_MODEL") or DEFAULT_MODEL_PATH)


class ServerError(RuntimeError):
    """The server exited or did not answer in time; the message ends with the tail of its log."""


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


def wait_until(check: Callable[[], bool], what: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise ServerError(f"{what} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServerError(f"{what} did not start within {timeout:.0f} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def stop(process: subprocess.Popen, group: bool = False) -> None:
    """Terminate the process (and, with ``group``, its session: forked Thumbor workers); kill after 10 s."""

    def send(sig: int) -> None:
        try:
            if group:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
        except ProcessLookupError:
            pass

    send(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()
    if group:  # the workers outlive a parent that is gone
        send(signal.SIGKILL)


@contextmanager
def running_thumbor(conf_text: str, root: Path, model_path: Path, processes: int = 1,
                    log_level: str = "info") -> Iterator[ThumborServer]:
    """``python -m thumbor.server`` on a free loopback port with this config, stopped on exit.

    ``processes`` > 1 makes Thumbor fork that many workers after start-up (its ``--processes``);
    benchmarks pass ``log_level="warning"`` so that no access line is written per request.
    """
    conf = root / "thumbor.conf"
    conf.write_text(conf_text)
    port = free_port()
    log = root / "thumbor.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "thumbor.server", "--ip", "127.0.0.1", "--port", str(port), "--conf", str(conf), "-l", log_level,
             "--processes", str(processes)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=subprocess_env(model_path),
            cwd=root,
            start_new_session=True,  # its own process group: stop() ends forked workers too
        )
    server = ThumborServer(f"http://127.0.0.1:{port}", root, log, process)
    try:
        wait_until(lambda: server.get("/healthcheck", timeout=2).status == 200, "thumbor", process, log)
        yield server
    finally:
        stop(process, group=True)


def upright_analysis(path: Path, model_path: Path) -> Analysis:
    """smartcrop_core's analysis of the pixels Thumbor crops: decoded, EXIF-rotated, metadata dropped."""
    with Image.open(path) as image:
        upright = ImageOps.exif_transpose(image)
        upright.info = {}
        return smartcrop_core.analyze(upright, DEFAULT_RATIOS, model=str(model_path), threads=1)


def expected_points(analysis: Analysis) -> list[dict]:
    return [
        {"x": f.x, "y": f.y, "z": f.weight, "height": 1, "width": 1, "origin": f.origin}
        for f in focus_points(analysis, DEFAULT_RATIOS)
    ]


def crop_operation(meta: dict) -> dict:
    """The one crop Thumbor made, from a /meta/ answer."""
    crops = [op for op in meta["thumbor"]["operations"] if op["type"] == "crop"]
    assert len(crops) == 1, meta
    return crops[0]


def smartcrop_operation(meta: dict) -> dict:
    """The box smartcrop had cut and where its analysis came from, from a /meta/ answer."""
    applied = [op for op in meta["thumbor"]["operations"] if op["type"] == "smartcrop"]
    assert len(applied) == 1, meta
    return applied[0]


def as_box(operation: dict) -> tuple[int, int, int, int]:
    return operation["left"], operation["top"], operation["right"], operation["bottom"]


def assert_same_picture(served: Image.Image, expected: Image.Image) -> None:
    assert served.size == expected.size
    difference = np.abs(np.asarray(served.convert("RGB"), float) - np.asarray(expected.convert("RGB"), float))
    assert difference.mean() < 6, difference.mean()  # JPEG and resampling noise, not a shifted window
