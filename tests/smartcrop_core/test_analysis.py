"""Analysis: lossless JSON, boxes for ratios asked later, strategies. No model needed."""

import json

import numpy as np
import pytest

from smartcrop_core import Analysis, Box, CropOptions
from smartcrop_core.analysis import dequantise, quantise, symmetry_score, top_points


def make_analysis(grid, width=800, height=600, symmetry=80.0, ratios=("16:9", "1:1", "4:5", "9:16")):
    stored = dequantise(quantise(np.asarray(grid, dtype=np.float64)))
    base = Analysis(width, height, stored, top_points(stored), symmetry, "test@1")
    return base.with_boxes(list(ratios))


def hot_grid(row=3, column=28, shape=(24, 32)):
    grid = np.full(shape, 0.01)
    grid[row, column] = 1.0
    return grid


def test_json_round_trip_is_lossless_and_compact():
    rng = np.random.default_rng(1)
    analysis = make_analysis(rng.random((24, 32)) ** 4)
    text = analysis.to_json()
    again = Analysis.from_json(text)
    assert again.to_json() == text
    assert np.array_equal(again.grid, analysis.grid)
    assert again.boxes == analysis.boxes and again.points == analysis.points
    assert len(text) < 2000
    assert json.loads(text)["grid"]["shape"] == [24, 32]


def test_a_ratio_not_asked_for_is_computed_from_the_stored_result():
    analysis = make_analysis(hot_grid())
    restored = Analysis.from_json(analysis.to_json())
    assert "3:1" not in restored.boxes
    box = restored.box("3:1")
    assert (box.width, box.height) == (800, 267)
    assert box == make_analysis(hot_grid(), ratios=("3:1",)).boxes["3:1"]


def test_mass_window_holds_the_hot_spot():
    analysis = make_analysis(hot_grid(row=12, column=29))
    spot_x = (29 + 0.5) / 32 * 800
    for label, box in analysis.boxes.items():
        assert box.left <= spot_x <= box.right, label


def test_top_points_are_local_maxima_best_first():
    grid = np.zeros((10, 10))
    grid[2, 2], grid[7, 7], grid[7, 8] = 1.0, 0.5, 0.4
    points = top_points(grid, 5)
    assert [(p.x, p.y) for p in points[:2]] == [(0.25, 0.25), (0.75, 0.75)]
    assert points[0].score == 1.0 and points[1].score == 0.5
    assert all(p.score <= q.score for q, p in zip(points, points[1:]))


def test_twitter_strategy_centres_on_the_top_point_unless_symmetric():
    grid = hot_grid(row=12, column=20)
    asymmetric = make_analysis(grid, symmetry=80.0)
    box = asymmetric.box("9:16", CropOptions(strategy="twitter"))
    assert box == Box(round(asymmetric.top_point.x * 800 - 338 / 2), 0, 338, 600)
    assert asymmetric.top_point.x == pytest.approx(20.5 / 32, abs=1e-4)
    symmetric = make_analysis(grid, symmetry=10.0)
    assert symmetric.box("9:16", CropOptions(strategy="twitter")) == Box(231, 0, 338, 600)


def test_centre_strategy_ignores_saliency():
    assert make_analysis(hot_grid()).box("1:1", CropOptions(strategy="centre")) == Box(100, 0, 600, 600)


def test_closeness_gives_a_tighter_box_of_the_same_ratio_around_saliency():
    grid = np.full((24, 32), 0.001)
    grid[10:14, 20:24] = 1.0
    analysis = make_analysis(grid)
    loose = analysis.box("1:1")
    tight = analysis.box("1:1", CropOptions(closeness=1.0, min_mass=0.9))
    half = analysis.box("1:1", CropOptions(closeness=0.5, min_mass=0.9))
    assert tight.width < half.width < loose.width
    assert tight.width == tight.height
    # The hot square is 100 x 100 px at (500..600, 250..350); keeping 90% of it needs ~95 px.
    assert 90 <= tight.width <= 100
    assert 500 <= tight.left + tight.width / 2 <= 600 and 250 <= tight.top + tight.height / 2 <= 350


@pytest.mark.parametrize("options", [dict(strategy="best"), dict(closeness=1.5), dict(min_mass=0.0)])
def test_bad_options_are_refused(options):
    with pytest.raises(ValueError):
        CropOptions(**options)


def test_symmetry_score_separates_mirror_images_from_lopsided_ones():
    rng = np.random.default_rng(2)
    half = rng.integers(0, 255, (50, 50, 3), dtype=np.uint8)
    mirrored = np.concatenate([half, half[:, ::-1]], axis=1)
    lopsided = np.concatenate([half, np.zeros_like(half)], axis=1)
    assert symmetry_score(mirrored) < 25 < symmetry_score(lopsided)
