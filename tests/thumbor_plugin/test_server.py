"""A real Thumbor on 127.0.0.1 with the plugin: fetch URLs, compare with what smartcrop_core says."""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from libthumbor import CryptoURL

import smartcrop_core
from smartcrop_core import CropOptions

from testsupport.thumbor_server import (SECURITY_KEY, ThumborServer, as_box, assert_same_picture, crop_operation,
                                         expected_points, smartcrop_operation, upright_analysis)

pytestmark = pytest.mark.usefixtures("thumbor_server")


def test_meta_reports_our_focal_points_and_the_box_and_the_cached_request_is_identical(
    thumbor_server: ThumborServer, images: Path, model_path: Path
) -> None:
    first = thumbor_server.get("/unsafe/meta/300x200/smart/meta.png")
    assert first.status == 200, first.body
    assert len(thumbor_server.detector_files()) >= 1  # detection ran and was stored
    second = thumbor_server.get("/unsafe/meta/300x200/smart/meta.png")  # the analysis now comes from storage
    assert second.status == 200, second.body
    analysis = upright_analysis(images / "meta.png", model_path)
    for answer, origin in ((first, "detected now"), (second, "detector storage (thumbor detector)")):
        meta = answer.json()
        assert meta["thumbor"]["focal_points"] == expected_points(analysis)
        applied = smartcrop_operation(meta)
        assert applied["origin"] == origin and applied["ratio"] == "3:2" and applied["strategy"] == "mass"
        assert as_box(applied) == as_box(crop_operation(meta)) == analysis.box("3:2").as_pil()
    assert all(isinstance(p["z"], int) and p["z"] >= 1 for p in first.json()["thumbor"]["focal_points"])


def test_smart_16x9_crop_is_the_core_box(thumbor_server: ThumborServer, images: Path, model_path: Path) -> None:
    analysis = upright_analysis(images / "scene.png", model_path)
    meta = thumbor_server.get("/unsafe/meta/320x180/smart/scene.png")
    assert meta.status == 200, meta.body
    assert as_box(crop_operation(meta.json())) == analysis.boxes["16:9"].as_pil()
    served = thumbor_server.get("/unsafe/320x180/smart/scene.png")
    assert served.status == 200
    assert_same_picture(served.image(), smartcrop_core.crop(images / "scene.png", "16:9", 320, analysis=analysis))


@pytest.mark.parametrize("size, ratio", [("320x180", "16:9"), ("300x300", "1:1"), ("240x300", "4:5"), ("180x320", "9:16")])
def test_filter_crops_exactly_the_core_box_without_smart(
    thumbor_server: ThumborServer, images: Path, model_path: Path, size: str, ratio: str
) -> None:
    analysis = upright_analysis(images / "filter.png", model_path)
    detector_files = thumbor_server.detector_files()
    meta = thumbor_server.get(f"/unsafe/meta/{size}/filters:smartcrop()/filter.png")
    assert meta.status == 200, meta.body
    assert as_box(crop_operation(meta.json())) == analysis.boxes[ratio].as_pil()
    assert thumbor_server.detector_files() == detector_files  # the filter never writes detector storage


def test_filter_with_closeness_and_with_smart(thumbor_server: ThumborServer, images: Path, model_path: Path) -> None:
    analysis = upright_analysis(images / "tall.png", model_path)
    tight = analysis.box("1:1", CropOptions(closeness=0.6))
    meta = thumbor_server.get("/unsafe/meta/200x200/smart/filters:smartcrop(0.6)/tall.png")
    assert meta.status == 200, meta.body
    assert as_box(crop_operation(meta.json())) == tight.as_pil()
    assert tight.width < analysis.boxes["1:1"].width
    served = thumbor_server.get("/unsafe/200x200/smart/filters:smartcrop(0.6)/tall.png")
    assert served.status == 200
    assert_same_picture(served.image(), smartcrop_core.crop(images / "tall.png", "1:1", 200, analysis=analysis,
                                                               options=smartcrop_core.CropOptions(closeness=0.6)))


def test_exif_rotated_input_is_analysed_upright(thumbor_server: ThumborServer, images: Path, model_path: Path) -> None:
    analysis = upright_analysis(images / "rotated.jpg", model_path)
    assert (analysis.width, analysis.height) == (800, 600)
    meta = thumbor_server.get("/unsafe/meta/320x180/filters:smartcrop()/rotated.jpg")
    assert meta.status == 200, meta.body
    assert as_box(crop_operation(meta.json())) == analysis.boxes["16:9"].as_pil()
    smart = thumbor_server.get("/unsafe/meta/300x300/smart/rotated.jpg")
    assert smart.status == 200, smart.body
    assert smart.json()["thumbor"]["focal_points"] == expected_points(analysis)
    assert as_box(crop_operation(smart.json())) == analysis.box("1:1").as_pil()
    served = thumbor_server.get("/unsafe/320x180/filters:smartcrop()/rotated.jpg")
    assert served.status == 200 and served.image().size == (320, 180)
    assert_same_picture(served.image(), smartcrop_core.crop(images / "rotated.jpg", "16:9", 320, analysis=analysis))


def test_flat_image_still_gets_a_centred_point(thumbor_server: ThumborServer) -> None:
    meta = thumbor_server.get("/unsafe/meta/300x300/smart/flat.png")
    assert meta.status == 200, meta.body
    points = meta.json()["thumbor"]["focal_points"]
    assert points and all(p["z"] >= 1 for p in points)
    again = thumbor_server.get("/unsafe/meta/300x300/smart/flat.png")
    assert again.status == 200
    for key in ("focal_points", "target"):
        assert again.json()["thumbor"][key] == meta.json()["thumbor"][key]
    assert as_box(crop_operation(again.json())) == as_box(crop_operation(meta.json()))


@pytest.mark.parametrize("name", ["corrupt.jpg", "garbage.jpg", "notes.txt", "missing.jpg"])
@pytest.mark.parametrize("options", ["300x200/smart", "300x200/filters:smartcrop()", "fit-in/300x300/filters:smartcrop_debug()"])
def test_bad_files_give_a_clean_error_and_the_server_keeps_serving(thumbor_server: ThumborServer, name: str, options: str) -> None:
    bad = thumbor_server.get(f"/unsafe/{options}/{name}")
    assert 400 <= bad.status < 600, bad.status
    good = thumbor_server.get(f"/unsafe/{options}/scene.png")
    assert good.status == 200 and good.image().size in ((300, 200), (300, 225))


@pytest.mark.parametrize("options", ["300x200/smart", "300x200/filters:smartcrop()"])
def test_truncated_jpeg_is_served_as_thumbor_serves_it(thumbor_server: ThumborServer, options: str) -> None:
    # Thumbor's PIL engine sets ImageFile.LOAD_TRUNCATED_IMAGES: the missing rows are grey, not an error.
    response = thumbor_server.get(f"/unsafe/{options}/truncated.jpg")
    assert response.status == 200 and response.image().size == (300, 200)


def test_debug_filter_draws_the_heat_map(thumbor_server: ThumborServer) -> None:
    plain = thumbor_server.get("/unsafe/fit-in/400x400/scene.png")
    debug = thumbor_server.get("/unsafe/fit-in/400x400/filters:smartcrop_debug()/scene.png")
    assert plain.status == debug.status == 200
    assert debug.image().size == plain.image().size == (400, 300)
    difference = np.abs(np.asarray(debug.image(), float) - np.asarray(plain.image(), float)).mean()
    assert difference > 20  # the heat map is blended over the whole picture


def test_signed_url_is_served_then_comes_from_result_storage(thumbor_server: ThumborServer) -> None:
    url = CryptoURL(key=SECURITY_KEY).generate(width=300, height=300, smart=True, image_url="scene.png")
    first = thumbor_server.get(url)
    assert first.status == 200, first.body
    deadline = time.monotonic() + 10  # Thumbor stores the result after answering
    while not any(p.is_file() for p in (thumbor_server.root / "results").rglob("*")):
        assert time.monotonic() < deadline, "the signed result was not stored"
        time.sleep(0.05)
    second = thumbor_server.get(url)
    assert second.status == 200 and second.body == first.body
    tampered = thumbor_server.get(url.replace("/300x300/", "/301x300/"))
    assert tampered.status >= 400


def test_fifty_concurrent_smart_requests_all_succeed(thumbor_server: ThumborServer) -> None:
    paths = [f"/unsafe/{200 + 7 * i}x{150 + 5 * (i % 9)}/smart/load{i % 5}.png" for i in range(50)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(thumbor_server.get, paths))
    assert [r.status for r in responses] == [200] * 50
    for path, response in zip(paths, responses):
        width, height = path.split("/")[2].split("x")
        assert response.image().size == (int(width), int(height))
    assert thumbor_server.get("/healthcheck").status == 200
