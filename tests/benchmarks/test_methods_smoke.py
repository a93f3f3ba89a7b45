"""Every benchmark method runs on one small image, so the benchmark scripts cannot rot."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from smartcrop_core import parse_ratio

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import crop_quality  # noqa: E402
import methods  # noqa: E402

from testsupport.images import scene  # noqa: E402

RATIOS = ["16:9", "1:1", "4:5", "9:16"]
EXPECTED = ["libvips", "smartcrop.py", "Haar", "FastGaze", "centre", "ours"]


@pytest.fixture(scope="module")
def small_jpeg(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "small.jpg"
    scene(320, 240).save(path, quality=90)
    return path


def test_every_peer_is_installed_by_the_bench_extra():
    names = " ".join(methods.available())
    expected = [name for name in EXPECTED if name != "FastGaze" or methods.FASTGAZE.is_file()]
    missing = [name for name in expected if name not in names]
    assert not missing, f"benchmark methods unavailable: {missing}"


@pytest.mark.parametrize("name", sorted(methods.available()))
def test_method_returns_a_box_of_each_ratio_inside_the_image(name, small_jpeg, shipped_model):
    boxes = methods.available()[name](str(small_jpeg), RATIOS)
    assert sorted(boxes) == sorted(RATIOS)
    for ratio, (left, top, width, height) in boxes.items():
        assert 0 <= left and left + width <= 320 and 0 <= top and top + height <= 240, (ratio, boxes[ratio])
        assert abs(width / height - parse_ratio(ratio)) < 0.02 + 1 / min(width, height)


def test_oracle_finds_the_window_holding_the_most_fixations():
    import numpy as np

    points = np.array([[700.0, 300.0]] * 10 + [[50.0, 300.0]] * 3)
    # Windows with left in 101..200 hold the ten; ties go to the most central one.
    assert crop_quality.oracle_box(points, 800, 600, "1:1") == (101, 0, 600, 600)
    assert crop_quality.kept((200, 0, 600, 600), points) == 10
