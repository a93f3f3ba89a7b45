"""Every ``/smart/`` size crops smartcrop's box for that exact ratio, on first and on cached requests.

Live Thumbor servers on 127.0.0.1 (testsupport/thumbor_server.py), checked against smartcrop_core's own
analysis of the pixels Thumbor crops: sizes none of SMARTCROP_RATIOS has, rotated JPEGs, MAX_WIDTH,
result storage on and off, a second server without a model reading the first one's detector storage
(so the cached path provably runs no model), and the fallbacks (old entries, no model, no hook).
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

import asyncio
import json
import time
from pathlib import Path

from thumbor.config import Config
from thumbor.context import Context, RequestParameters
from thumbor.engines.pil import Engine
from thumbor.point import FocalPoint
from thumbor.storages.file_storage import Storage as FileStorage

import smartcrop_core
from smartcrop_core import DEFAULT_RATIOS
from thumbor_plugin import stored
from thumbor_plugin.config import Settings
from thumbor_plugin.detector import crop_with
from thumbor_plugin.pixels import engine_image

from testsupport.thumbor_server import (ThumborServer, as_box, assert_same_picture, crop_operation, expected_points,
                                        running_thumbor, server_conf, smartcrop_operation, upright_analysis)
from testsupport.images import target_scene as scene

#: Sizes whose ratios are not in SMARTCROP_RATIOS (16:9, 1:1, 4:5, 9:16): 3:2, 2:3, 7:3 (21:9), 5:4, 123:77.
UNCONFIGURED = [("300x200", "3:2"), ("200x300", "2:3"), ("420x180", "7:3"), ("250x200", "5:4"), ("123x77", "123:77")]


def new_image(images: Path, name: str, seed: int, size: tuple[int, int] = (800, 600), spot: tuple[float, float] = (0.8, 0.3)) -> str:
    scene(*size, seed, spot=spot).save(images / name)
    return name


def meta(server: ThumborServer, path: str) -> dict:
    answer = server.get(f"/unsafe/meta/{path}")
    assert answer.status == 200, answer.body[:300]
    return answer.json()


def assert_box(answer: dict, analysis: smartcrop_core.Analysis, ratio: str, origin: str) -> None:
    """Thumbor cut exactly the core's box (to within a pixel), and /meta/ names it and its origin."""
    expected = analysis.box(ratio).as_pil()
    assert max(abs(a - b) for a, b in zip(as_box(crop_operation(answer)), expected)) <= 1, (answer, expected)
    applied = smartcrop_operation(answer)
    assert as_box(applied) == as_box(crop_operation(answer)) and applied["origin"] == origin


def test_unconfigured_sizes_get_their_exact_box_first_and_cached(thumbor_server: ThumborServer, images: Path, model_path: Path) -> None:
    names = {
        "landscape": new_image(images, "exact_landscape.png", 21, spot=(0.85, 0.2)),
        "portrait": new_image(images, "exact_portrait.png", 22, size=(600, 1000), spot=(0.3, 0.8)),
    }
    for name in names.values():
        analysis = upright_analysis(images / name, model_path)
        first_size, first_ratio = UNCONFIGURED[0]
        assert_box(meta(thumbor_server, f"{first_size}/smart/{name}"), analysis, first_ratio, "detected now")
        for size, ratio in UNCONFIGURED:
            assert_box(meta(thumbor_server, f"{size}/smart/{name}"), analysis, ratio, "detector storage (thumbor detector)")
        served = thumbor_server.get(f"/unsafe/300x200/smart/{name}")
        assert served.status == 200
        assert_same_picture(served.image(), smartcrop_core.crop(images / name, "3:2", 300, analysis=analysis))


def test_rotated_jpeg_gets_exact_boxes_at_unconfigured_sizes(thumbor_server: ThumborServer, images: Path, model_path: Path) -> None:
    analysis = upright_analysis(images / "rotated.jpg", model_path)
    assert (analysis.width, analysis.height) == (800, 600)  # upright; stored sideways
    for size, ratio in UNCONFIGURED:
        answer = meta(thumbor_server, f"{size}/smart/rotated.jpg")
        assert_box(answer, analysis, ratio, smartcrop_operation(answer)["origin"])
    assert smartcrop_operation(meta(thumbor_server, "300x200/smart/rotated.jpg"))["origin"].startswith("detector storage")


def test_filter_with_closeness_still_zooms_on_smart_urls(thumbor_server: ThumborServer, images: Path, model_path: Path) -> None:
    name = new_image(images, "exact_zoom.png", 23, spot=(0.25, 0.3))
    analysis = upright_analysis(images / name, model_path)
    assert smartcrop_operation(meta(thumbor_server, f"300x200/smart/{name}"))["origin"] == "detected now"
    zoomed = meta(thumbor_server, f"300x200/smart/filters:smartcrop(0.7)/{name}")
    tight = analysis.box("3:2", smartcrop_core.CropOptions(closeness=0.7))
    assert as_box(crop_operation(zoomed)) == tight.as_pil()
    assert tight.width < analysis.box("3:2").width
    assert smartcrop_operation(zoomed)["closeness"] == 0.7


def test_a_server_without_model_cuts_exact_boxes_from_stored_analyses(thumbor_server: ThumborServer, images: Path, model_path: Path, tmp_path: Path) -> None:
    detected = new_image(images, "exact_shared.png", 24, spot=(0.15, 0.7))
    unseen = new_image(images, "exact_unseen.png", 25)
    analysis = upright_analysis(images / detected, model_path)
    meta(thumbor_server, f"320x180/smart/{detected}")  # the first server detects and stores
    conf = (server_conf(tmp_path, images) + f"FILE_STORAGE_ROOT_PATH = {str(thumbor_server.root / 'storage')!r}\n"
            f"SMARTCROP_MODEL_PATH = {str(tmp_path / 'no-model.onnx')!r}\n")
    with running_thumbor(conf, tmp_path, model_path) as modelless:
        for size, ratio in UNCONFIGURED:
            assert_box(meta(modelless, f"{size}/smart/{detected}"), analysis, ratio, "detector storage (thumbor detector)")
        fallback = modelless.get(f"/unsafe/meta/300x200/smart/{unseen}")  # no entry, no model: Thumbor's crop
        assert fallback.status == 200
        assert not [op for op in fallback.json()["thumbor"]["operations"] if op["type"] == "smartcrop"]
        assert modelless.get(f"/unsafe/300x200/smart/{unseen}").image().size == (300, 200)
        assert "no-model.onnx" in modelless.log.read_text()


def test_result_storage_on_keeps_the_exact_crop(images: Path, model_path: Path, tmp_path: Path) -> None:
    name = new_image(images, "exact_results.png", 26, spot=(0.2, 0.25))
    analysis = upright_analysis(images / name, model_path)
    expected = smartcrop_core.crop(images / name, "21:9", 420, analysis=analysis)
    conf = server_conf(tmp_path, images) + "RESULT_STORAGE_STORES_UNSAFE = True\n"
    with running_thumbor(conf, tmp_path, model_path) as server:
        first = server.get(f"/unsafe/420x180/smart/{name}")
        assert first.status == 200
        assert_same_picture(first.image(), expected)
        deadline = time.monotonic() + 10  # Thumbor stores the result after answering
        while not any(p.is_file() for p in (tmp_path / "results").rglob("*")):
            assert time.monotonic() < deadline, "the result was not stored"
            time.sleep(0.05)
        second = server.get(f"/unsafe/420x180/smart/{name}")
        assert second.status == 200 and second.body == first.body
        assert_box(meta(server, f"300x200/smart/{name}"), analysis, "3:2", "detector storage (thumbor detector)")


def test_max_width_boxes_are_in_the_normalised_pixels(images: Path, model_path: Path, tmp_path: Path) -> None:
    name = new_image(images, "exact_max_width.png", 27, size=(1000, 750), spot=(0.8, 0.75))
    config = Config(MAX_WIDTH=500, MAX_HEIGHT=500)
    context = Context(config=config)
    context.request = RequestParameters(image=name)
    engine = Engine(context)
    engine.load((images / name).read_bytes(), ".png")
    assert engine.normalize() and engine.size == (500, 375)  # what Thumbor crops from
    analysis = smartcrop_core.analyze(engine_image(engine), DEFAULT_RATIOS, model=str(model_path), threads=1)
    conf = server_conf(tmp_path, images) + "MAX_WIDTH = 500\nMAX_HEIGHT = 500\nRESULT_STORAGE = None\n"
    with running_thumbor(conf, tmp_path, model_path) as server:
        first = meta(server, f"300x200/smart/{name}")
        assert_box(first, analysis, "3:2", "detected now")
        for size, ratio in UNCONFIGURED[1:]:
            assert_box(meta(server, f"{size}/smart/{name}"), analysis, ratio, "detector storage (thumbor detector)")


def test_an_old_entry_under_the_image_url_gets_thumbors_centroid_crop(thumbor_server: ThumborServer, images: Path) -> None:
    name = new_image(images, "exact_old_entry.png", 28)
    old = [FocalPoint(600, 200, weight=1, origin="smartcrop 1:1").to_dict()]  # what an older plugin stored
    config = Config(FILE_STORAGE_ROOT_PATH=str(thumbor_server.root / "storage"))
    asyncio.run(FileStorage(Context(config=config)).put_detector_data(name, old))
    answer = meta(thumbor_server, f"300x300/smart/{name}")
    assert answer["thumbor"]["focal_points"] == old
    assert as_box(crop_operation(answer)) == (200, 0, 800, 600)  # centred on x = 600, clamped to the right edge
    assert not [op for op in answer["thumbor"]["operations"] if op["type"] == "smartcrop"]


def test_without_the_transformer_hook_the_points_are_appended_for_thumbor(model_path: Path) -> None:
    context = Context(config=Config(SMARTCROP_MODEL_PATH=str(model_path)))
    context.request = RequestParameters(image="x.png")
    context.transformer = object()  # a Thumbor whose Transformer has none of the wrapped methods
    settings = Settings.from_config(context.config)
    analysis = smartcrop_core.analyze(scene(800, 600, 29), DEFAULT_RATIOS, model=str(model_path), threads=1)
    crop_with(context, settings, analysis, "detected now")
    points = [p.to_dict() for p in context.request.focal_points]
    assert points == expected_points(analysis)


def test_stored_entry_round_trips_through_json_and_fits_a_reduced_copy(model_path: Path) -> None:
    analysis = smartcrop_core.analyze(scene(1000, 750, 30), DEFAULT_RATIOS, model=str(model_path), threads=1)
    data = json.loads(json.dumps(stored.entry(analysis, DEFAULT_RATIOS, analysis.options, stored.SOURCE_THUMBOR)))
    assert [FocalPoint.from_dict(p).to_dict() for p in data] == expected_points(analysis)  # Thumbor can read it
    back = stored.decode(data)
    assert back is not None and back.analysis is not None
    same = stored.fitted(back.analysis, (1000, 750), analysis.options)
    assert same is not None and all(same.box(r) == analysis.box(r) for r in ("3:2", "7:3", "2:3", "16:9"))
    half = stored.fitted(back.analysis, (500, 375), analysis.options)
    assert half is not None and abs(half.box("3:2").left - analysis.box("3:2").left / 2) <= 1
    assert stored.fitted(back.analysis, (750, 1000), analysis.options) is None  # other pixels
    assert stored.decode([{"x": 1, "y": 2, "z": 1, "smartcrop": {"format": 99}}]) is None
    assert stored.decode({"not": "a list"}) is None


def test_when_another_detector_answers_thumbor_crops_on_its_points(images: Path, model_path: Path, tmp_path: Path) -> None:
    pytest.importorskip("cv2", reason="Thumbor's feature detector needs OpenCV")
    name = new_image(images, "exact_other_detector.png", 31)
    conf = (server_conf(tmp_path, images) + "SMARTCROP_MAX_PIXELS = 1000\n"  # smartcrop refuses every image
            'DETECTORS = ["thumbor_plugin.detector", "thumbor.detectors.feature_detector"]\n')
    with running_thumbor(conf, tmp_path, model_path) as server:
        first = meta(server, f"300x200/smart/{name}")
        points = first["thumbor"]["focal_points"]
        assert len(points) > 1 and all(p["z"] == 1 for p in points)  # the feature detector's corners, not one centre
        assert not [op for op in first["thumbor"]["operations"] if op["type"] == "smartcrop"]
        again = meta(server, f"250x200/smart/{name}")  # from Thumbor's storage: no detector runs
        assert again["thumbor"]["focal_points"] == points
        assert server.get(f"/unsafe/300x200/smart/{name}").image().size == (300, 200)
        assert "smartcrop detector skipped" in server.log.read_text()
