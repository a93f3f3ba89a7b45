"""Queued detection: Thumbor enqueues in a real Redis, a real remotecv worker runs our detector.

The in-process test needs only the remotecv package; the end-to-end one also a ``redis-server``
binary (Debian package redis-server) and tc_redis (Thumbor's Redis storage, which reads the points
the worker writes), and is skipped without them.
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

import json
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageOps
from thumbor.point import FocalPoint

import smartcrop_core
from smartcrop_core import DEFAULT_RATIOS, Analysis
from thumbor_plugin.points import focus_points

from testsupport.thumbor_server import (as_box, assert_same_picture, crop_operation, free_port, running_thumbor,
                                        smartcrop_operation, stop, subprocess_env, upright_analysis, wait_until)

remotecv = pytest.importorskip("remotecv", reason="remotecv is not installed")

ENTRY_KEY = "rotated.jpg#smartcrop"  # thumbor_plugin.stored.key of the test image


def expected(path: Path, model_path: Path) -> list[tuple[int, int, int]]:
    with Image.open(path) as image:
        upright = ImageOps.exif_transpose(image)
        upright.info = {}
        analysis = smartcrop_core.analyze(upright, DEFAULT_RATIOS, model=str(model_path))
    return [(f.x, f.y, f.weight) for f in focus_points(analysis, DEFAULT_RATIOS)]


def as_stored(serialised: str) -> list[tuple[int, int, int]]:
    """What Thumbor's storage hands back: FocalPoint.from_dict of remotecv's JSON."""
    points = [FocalPoint.from_dict(p) for p in json.loads(serialised)]
    return [(p.x, p.y, p.weight) for p in points]


def test_worker_detector_gives_the_points_of_the_in_process_detector(images: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTCROP_MODEL", str(model_path))
    from remotecv.result_store import BaseStore
    from remotecv.utils import config
    from remotecv.worker import import_modules

    from thumbor_plugin import remotecv_loader

    monkeypatch.setattr(config, "metrics", "remotecv.metrics.logger_metrics", raising=False)
    import_modules()  # what the worker does at start: remotecv's metrics client

    from thumbor_plugin import stored
    from thumbor_plugin.remotecv_store import ResultStore

    data = (images / "rotated.jpg").read_bytes()
    boxes = remotecv_loader.DetectTask.processor.detect("smartcrop", data)
    assert as_stored(BaseStore(None).serialize(boxes)) == expected(images / "rotated.jpg", model_path)
    with_analysis = stored.decode(json.loads(object.__new__(ResultStore).serialize(boxes)))  # what our store writes
    analysis = upright_analysis(images / "rotated.jpg", model_path)
    assert with_analysis is not None and with_analysis.analysis is not None
    assert with_analysis.source == stored.SOURCE_REMOTECV
    assert all(with_analysis.analysis.box(r) == analysis.box(r) for r in ("3:2", "7:3", "16:9", "2:3"))
    assert remotecv_loader.DetectTask.processor.detect("smartcrop", b"not an image") == []


def test_remotecv_worker_module_does_not_need_thumbor(model_path: Path) -> None:
    code = (
        "import sys; sys.modules['thumbor'] = None\n"  # any 'import thumbor...' now fails
        "import thumbor_plugin.remotecv_loader as loader; print(sorted(loader.DetectTask.processor.detectors))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(model_path), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "smartcrop" in result.stdout


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_queued_detection_end_to_end(images: Path, model_path: Path, tmp_path: Path) -> None:
    import redis

    pytest.importorskip("tc_redis", reason="tc_redis (Thumbor's Redis storage) is not installed")

    port = free_port()
    redis_log = tmp_path / "redis.log"
    with open(redis_log, "wb") as log_file:
        server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    client = redis.Redis(host="127.0.0.1", port=port)
    worker = None
    try:
        wait_until(lambda: _answers(client), "redis-server", server, redis_log)
        conf = f"""
LOADER = "thumbor.loaders.file_loader"
FILE_LOADER_ROOT_PATH = {str(images)!r}
STORAGE = "tc_redis.storages.redis_storage"
REDIS_STORAGE_SERVER_HOST = "127.0.0.1"
REDIS_STORAGE_SERVER_PORT = {port}
REDIS_STORAGE_SERVER_DB = 0
REDIS_STORAGE_SERVER_PASSWORD = None
ALLOW_UNSAFE_URL = True
RESPECT_ORIENTATION = True
DETECTORS = ["thumbor_plugin.queued_detector"]
REDIS_QUEUE_SERVER_HOST = "127.0.0.1"
REDIS_QUEUE_SERVER_PORT = {port}
"""
        with running_thumbor(conf, tmp_path, model_path) as thumbor:  # type: ThumborServer
            first = thumbor.get("/unsafe/meta/300x200/smart/rotated.jpg")
            assert first.status == 200  # served at once, without points, while the job waits
            assert [p["origin"] for p in first.json()["thumbor"]["focal_points"]] == ["alignment"]  # Thumbor's centre
            assert client.llen("resque:queue:Detect") == 1
            job = json.loads(client.lindex("resque:queue:Detect", 0) or b"{}")
            assert job["args"] == ["smartcrop", "rotated.jpg", ENTRY_KEY]  # the result goes beside Thumbor's key
            assert thumbor.get("/unsafe/300x200/smart/rotated.jpg").status == 200
            assert client.llen("resque:queue:Detect") == 1  # Thumbor's unique queue: one job per image

            worker_log = tmp_path / "worker.log"
            env = dict(subprocess_env(model_path), SMARTCROP_REMOTECV_LOADER="tests.thumbor_plugin.remotecv_file_loader",
                       SMARTCROP_TEST_IMAGES=str(images))
            with open(worker_log, "wb") as log_file:
                worker = subprocess.Popen(
                    [sys.executable, "-m", "remotecv.worker", "--host", "127.0.0.1", "--port", str(port),
                     "--loader", "thumbor_plugin.remotecv_loader", "--store", "thumbor_plugin.remotecv_store",
                     "--level", "info"],
                    stdout=log_file, stderr=subprocess.STDOUT, env=env,
                )
            redis_key = f"thumbor-detector-{ENTRY_KEY}"
            wait_until(lambda: client.exists(redis_key), "remotecv worker", worker, worker_log, timeout=60)
            assert as_stored(client.get(redis_key).decode()) == expected(images / "rotated.jpg", model_path)
            assert not client.exists("thumbor-detector-rotated.jpg")  # Thumbor's own key stays empty

            analysis = upright_analysis(images / "rotated.jpg", model_path)
            for size, ratio in [("300x200", "3:2"), ("420x180", "7:3"), ("200x300", "2:3"), ("320x180", "16:9")]:
                later = thumbor.get(f"/unsafe/meta/{size}/smart/rotated.jpg")  # from the worker's entry in Redis
                assert later.status == 200
                assert as_box(crop_operation(later.json())) == analysis.box(ratio).as_pil()
                assert smartcrop_operation(later.json())["origin"] == "detector storage (remotecv worker)"
                points = [(p["x"], p["y"], p["z"]) for p in later.json()["thumbor"]["focal_points"]]
                assert points == expected(images / "rotated.jpg", model_path)
            served = thumbor.get("/unsafe/300x200/smart/rotated.jpg")
            assert_same_picture(served.image(), smartcrop_core.crop(images / "rotated.jpg", "3:2", 300, analysis=analysis))
            assert client.llen("resque:queue:Detect") == 0
        shrunk_root = tmp_path / "max_width"
        shrunk_root.mkdir()
        with running_thumbor(conf + "MAX_WIDTH = 400\nMAX_HEIGHT = 400\n", shrunk_root, model_path) as shrunk:
            # Thumbor crops a 400x300 copy; the worker's analysis of the 800x600 original is scaled to it.
            scaled = Analysis(400, 300, analysis.grid, analysis.points, analysis.symmetry, analysis.model)
            answer = shrunk.get("/unsafe/meta/300x200/smart/rotated.jpg")
            assert answer.status == 200
            assert as_box(crop_operation(answer.json())) == scaled.box("3:2").as_pil()
            assert smartcrop_operation(answer.json())["origin"] == "detector storage (remotecv worker)"
    finally:
        if worker is not None:
            stop(worker)
        stop(server)


def _answers(client) -> bool:
    """True once redis-server accepts connections (redis-py's ConnectionError is not an OSError)."""
    import redis

    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False
