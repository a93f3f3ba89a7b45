"""Focal points (points.py) on synthetic analyses: no model, no server.

The check that matters: Thumbor's own centre of mass (the real ``Transformer.get_center_of_mass``) of
our points, put through Thumbor's window arithmetic, lands on smartcrop's box.
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from thumbor.point import FocalPoint
from thumbor.transformer import Transformer

from smartcrop_core import DEFAULT_RATIOS, Analysis, parse_ratio
from smartcrop_core.analysis import dequantise, quantise, top_points
from thumbor_plugin.points import focus_points


def synthetic(width: int, height: int, peak: tuple[float, float] | None, cells: tuple[int, int] = (24, 32)) -> Analysis:
    """An Analysis with a Gaussian blob at ``peak`` (normalised), or flat when ``peak`` is None."""
    rows, columns = cells
    if peak is None:
        grid = np.ones((rows, columns))
    else:
        ys, xs = np.mgrid[0:rows, 0:columns]
        grid = np.exp(-(((xs + 0.5) / columns - peak[0]) ** 2 + ((ys + 0.5) / rows - peak[1]) ** 2) / 0.01)
    stored = dequantise(quantise((grid / grid.sum()).astype(np.float32)))
    return Analysis(width, height, stored, top_points(stored), 50.0, "synthetic@0").with_boxes(list(DEFAULT_RATIOS))


def thumbor_window(points: list[FocalPoint], width: int, height: int, ratio: float) -> tuple[int, int, int, int]:
    """Thumbor 7.8's auto_crop window (transformer.py), with its real centre-of-mass code."""
    transformer = Transformer(SimpleNamespace(request=SimpleNamespace(engine=None)))
    transformer.focal_points = points
    focal_x, focal_y = transformer.get_center_of_mass()
    if ratio > width / height:
        crop_width, crop_height = width, int(round(width / ratio))
    else:
        crop_width, crop_height = int(round(height * ratio)), height
    left = int(round(min(max(focal_x - crop_width / 2, 0.0), width - crop_width)))
    top = int(round(min(max(focal_y - crop_height / 2, 0.0), height - crop_height)))
    return left, top, left + crop_width, top + crop_height


def as_thumbor(analysis: Analysis) -> list[FocalPoint]:
    """Through Thumbor's storage format and back, as a cached request sees them."""
    points = [FocalPoint(f.x, f.y, weight=f.weight, origin=f.origin) for f in focus_points(analysis, DEFAULT_RATIOS)]
    return [FocalPoint.from_dict(p.to_dict()) for p in points]


@pytest.mark.parametrize("peak", [(0.8, 0.2), (0.2, 0.85), (0.5, 0.5), (0.05, 0.05)])
def test_the_only_wider_ratio_is_reproduced_within_a_pixel(peak: tuple[float, float]) -> None:
    analysis = synthetic(800, 600, peak)
    window = thumbor_window(as_thumbor(analysis), 800, 600, 16 / 9)
    box = analysis.boxes["16:9"].as_pil()
    assert max(abs(a - b) for a, b in zip(window, box)) <= 1, (window, box)


def test_on_a_portrait_image_the_only_narrower_ratio_is_reproduced() -> None:
    analysis = synthetic(600, 900, (0.8, 0.3))  # 2:3; only 9:16 is narrower
    window = thumbor_window(as_thumbor(analysis), 600, 900, 9 / 16)
    assert max(abs(a - b) for a, b in zip(window, analysis.boxes["9:16"].as_pil())) <= 1


def test_centroid_is_the_mean_of_the_constraining_box_centres() -> None:
    analysis = synthetic(800, 600, (0.85, 0.4))
    narrow = [analysis.boxes[r] for r in ("1:1", "4:5", "9:16")]
    expected_x = sum(b.left + b.width / 2 for b in narrow) / 3
    transformer = Transformer(SimpleNamespace(request=SimpleNamespace(engine=None)))
    transformer.focal_points = as_thumbor(analysis)
    focal_x, _ = transformer.get_center_of_mass()
    assert abs(focal_x - expected_x) <= 1.5


def test_flat_image_gets_centred_points() -> None:
    points = focus_points(synthetic(640, 480, None), DEFAULT_RATIOS)
    assert points
    assert all(abs(p.x - 320) <= 1 and abs(p.y - 240) <= 1 for p in points)


def test_ratio_equal_to_the_image_falls_back_to_half_and_double() -> None:
    points = focus_points(synthetic(1600, 900, (0.7, 0.5)), ("16:9",))
    assert [p.origin for p in points] == ["smartcrop 0.8889", "smartcrop 3.556"]


@settings(max_examples=60, deadline=None)
@given(
    width=st.integers(16, 4000),
    height=st.integers(16, 4000),
    peak=st.one_of(st.none(), st.tuples(st.floats(0, 1), st.floats(0, 1))),
    ratios=st.lists(st.sampled_from(["16:9", "1:1", "4:5", "9:16", "3:1", "1:3", "4:3"]), min_size=1, max_size=4, unique=True),
)
def test_points_are_integer_inside_the_image_and_never_empty(width: int, height: int, peak, ratios: list[str]) -> None:
    analysis = synthetic(width, height, peak, cells=(8, 8))
    points = focus_points(analysis, ratios)
    assert 1 <= len(points) <= len(ratios) + 2
    for point in points:
        assert isinstance(point.x, int) and isinstance(point.y, int)
        assert 0 <= point.x < width and 0 <= point.y < height
        assert point.weight == 1
    for ratio in ratios:
        parse_ratio(ratio)
