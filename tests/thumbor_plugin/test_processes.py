"""Thumbor with ``--processes 2``: forked workers serve the core's exact boxes and focal points.

With --processes > 1 the parent only forks and waits, so every answer here comes from a forked worker,
which loads its own model (thumbor_plugin/startup.py keeps the start-up copy out of the fork). The
first requests detect in whichever worker takes them; later sizes are cut from the stored analysis,
in either worker.
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import smartcrop_core
from reliability import load_thumbor
from testsupport.thumbor_server import (as_box, assert_same_picture, crop_operation, expected_points, running_thumbor,
                                        server_conf, smartcrop_operation, upright_analysis)

REQUESTS = 12


def test_forked_workers_serve_the_cores_crops_and_points(model_path: Path, tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    names = load_thumbor.make_images(images, REQUESTS, 640, 480, seed=7)
    conf = server_conf(tmp_path, images) + load_thumbor.conf_extra(pool=1, engine_threads=1)
    with running_thumbor(conf, tmp_path, model_path, processes=2) as server:
        with ThreadPoolExecutor(REQUESTS) as pool:  # all at once, so both workers take some
            answers = list(pool.map(lambda name: server.get(f"/unsafe/300x200/smart/{name}"), names))
        with ThreadPoolExecutor(4) as pool:
            metas = list(pool.map(lambda name: server.get(f"/unsafe/meta/420x180/smart/{name}"), names))
        log = server.log.read_text()
    assert "smartcrop is on" in log and "Traceback" not in log, log[-3000:]
    for name, answer, meta in zip(names, answers, metas):
        assert answer.status == 200, (name, answer.body[:200])
        analysis = upright_analysis(images / name, model_path)
        assert_same_picture(answer.image(), smartcrop_core.crop(images / name, "3:2", 300, analysis=analysis))
        assert meta.json()["thumbor"]["focal_points"] == expected_points(analysis)
        assert as_box(crop_operation(meta.json())) == analysis.box("7:3").as_pil()
        assert smartcrop_operation(meta.json())["origin"] == "detector storage (thumbor detector)"
