"""Crop geometry: table-driven cases plus properties over random sizes, ratios and grids."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcrop_core import parse_ratio
from smartcrop_core.geometry import (
    Box,
    fit_box,
    largest_centred_box,
    largest_size,
    place_by_mass,
    place_on_point,
    scaled_size,
    tight_scale,
    window_masses,
)

sizes = st.integers(min_value=1, max_value=3000)
ratios = st.floats(min_value=0.05, max_value=20)
grids = st.integers(min_value=1, max_value=12).flatmap(
    lambda rows: st.integers(min_value=1, max_value=12).flatmap(
        lambda cols: st.lists(st.floats(0, 1), min_size=rows * cols, max_size=rows * cols).map(
            lambda values: np.array(values, dtype=np.float64).reshape(rows, cols)
        )
    )
)


def normalised(grid):
    grid = np.asarray(grid, dtype=np.float64) + 1e-9
    return grid / grid.sum()


@pytest.mark.parametrize(
    "size, ratio, expected",
    [((800, 600), 16 / 9, (800, 450)), ((800, 600), 1.0, (600, 600)), ((800, 600), 9 / 16, (338, 600)),
     ((600, 800), 16 / 9, (600, 338)), ((1, 1), 16 / 9, (1, 1)), ((20000, 10), 1.0, (10, 10)), ((10, 20000), 4 / 5, (10, 12))],
)
def test_largest_size_table(size, ratio, expected):
    assert largest_size(*size, ratio) == expected


@settings(max_examples=300, deadline=None)
@given(sizes, sizes, ratios)
def test_largest_box_fills_one_side_and_keeps_the_ratio(width, height, ratio):
    w, h = largest_size(width, height, ratio)
    assert 1 <= w <= width and 1 <= h <= height
    assert w == width or h == height
    # "Exactly the ratio, to the pixel": no integer box of this height is closer to the ratio.
    if h == height and 1 < w < width:
        assert abs(w - h * ratio) <= 0.5 + 1e-9
    elif w == width and 1 < h < height:
        assert abs(h - w / ratio) <= 0.5 + 1e-9


@settings(max_examples=200, deadline=None)
@given(sizes, sizes, ratios, st.floats(0.01, 1.0))
def test_scaled_box_is_inside_and_not_larger(width, height, ratio, scale):
    w, h = scaled_size(width, height, ratio, scale)
    big_w, big_h = largest_size(width, height, ratio)
    assert 1 <= w <= big_w and 1 <= h <= big_h


@settings(max_examples=200, deadline=None)
@given(grids, st.integers(1, 900), st.integers(1, 900), ratios, st.floats(0.1, 1.0))
def test_mass_window_is_always_inside_the_image(grid, width, height, ratio, scale):
    w, h = scaled_size(width, height, ratio, scale)
    box = place_by_mass(normalised(grid), width, height, w, h)
    assert (box.width, box.height) == (w, h)
    assert 0 <= box.left and box.right <= width and 0 <= box.top and box.bottom <= height


@settings(max_examples=100, deadline=None)
@given(grids, st.integers(1, 5), st.integers(1, 5), ratios)
def test_mass_window_is_the_best_window(grid, cell_w, cell_h, ratio):
    """Compare with brute force on pixels: each cell covers cell_w x cell_h pixels exactly."""
    rows, columns = grid.shape
    density = normalised(grid)
    width, height = columns * cell_w, rows * cell_h
    pixels = np.kron(density, np.ones((cell_h, cell_w))) / (cell_w * cell_h)
    w, h = largest_size(width, height, ratio)
    table = np.pad(pixels.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    brute = table[h:, w:] - table[:-h or None, w:][: height - h + 1] - table[h:, :-w or None][:, : width - w + 1] \
        + table[: height - h + 1, : width - w + 1]
    box = place_by_mass(density, width, height, w, h)
    chosen = brute[box.top, box.left]
    assert chosen >= brute.max() * (1 - 0.002) - 1e-9


def test_window_mass_is_exact_for_sub_cell_windows():
    grid = normalised([[1, 2], [3, 4]])
    # Image 4x4 pixels; the window covering pixel columns 1..3 and rows 0..2 holds half of each cell.
    masses = window_masses(grid, (4, 4), (2, 2), np.array([1]), np.array([1]))
    assert masses[0, 0] == pytest.approx(grid.sum() / 4)


def test_single_hot_cell_is_inside_the_window():
    grid = np.full((6, 8), 1e-6)
    grid[2, 7] = 1.0
    box = place_by_mass(normalised(grid), 800, 600, 300, 600)
    assert box.left <= 7.5 / 8 * 800 <= box.right


def test_flat_grid_gives_the_centre_crop():
    box = place_by_mass(normalised(np.ones((6, 8))), 800, 600, 338, 600)
    assert box == Box(231, 0, 338, 600)


def test_ties_go_to_the_most_central_window():
    grid = np.zeros((4, 9))
    grid[:, 4] = 1.0  # every window from left=0 to left=300 holds all of it
    assert place_by_mass(normalised(grid), 900, 400, 600, 400).left == 150


def test_tight_scale_shrinks_around_concentrated_saliency():
    grid = np.full((12, 16), 1e-6)
    grid[5:7, 7:9] = 1.0
    scale = tight_scale(normalised(grid), 1600, 1200, 1.0, 0.9)
    assert 0.1 < scale < 0.35


@pytest.mark.parametrize(
    "point, expected_left", [((0.5, 0.5), 231), ((0.0, 0.5), 0), ((1.0, 0.5), 462), ((0.7, 0.5), 391)]
)
def test_place_on_point_centres_and_clamps(point, expected_left):
    assert place_on_point(*point, 800, 600, 338, 600).left == expected_left


def test_box_scaling_maps_to_a_smaller_decode():
    assert Box(100, 50, 400, 300).scaled(0.5, 0.5) == Box(50, 25, 200, 150)


@pytest.mark.parametrize(
    "box, ratio, size, expected",
    [
        ([0, 0, 100, 100], "1:1", (300, 200), [0, 0, 100, 100]),
        ([-50, -50, 100, 100], "1:1", (300, 200), [0, 0, 100, 100]),
        ([250, 150, 100, 100], "1:1", (300, 200), [200, 100, 100, 100]),
        ([0, 0, 999, 999], "1:1", (300, 200), [100, 0, 200, 200]),  # shrunk around its centre, then clamped
        ([0, 0, 160, 100], "16:9", (300, 200), [0, 5, 160, 90]),  # ratio enforced around the centre
    ],
)
def test_fit_box_table(box, ratio, size, expected):
    assert fit_box(Box(*box), parse_ratio(ratio), *size).as_list() == expected


@settings(max_examples=200, deadline=None)
@given(
    left=st.integers(-5000, 5000), top=st.integers(-5000, 5000), width=st.integers(-10, 5000),
    height=st.integers(-10, 5000), image_width=st.integers(1, 3000), image_height=st.integers(1, 3000),
    ratio=st.sampled_from(["16:9", "1:1", "4:5", "9:16", "3:1"]),
)
def test_fit_box_is_always_inside_and_of_the_ratio(left, top, width, height, image_width, image_height, ratio):
    box = fit_box(Box(left, top, width, height), parse_ratio(ratio), image_width, image_height)
    assert 0 <= box.left and 0 <= box.top and box.right <= image_width and box.bottom <= image_height
    assert box.width >= 1 and box.height >= 1
    if box.width > 2 and box.height > 2:  # tiny boxes cannot hold a ratio to a pixel
        assert abs(box.width / box.height - parse_ratio(ratio)) <= parse_ratio(ratio) * 1.5 / min(box.width, box.height)


def test_largest_centred_box():
    assert largest_centred_box(300, 200, 1.0) == Box(50, 0, 200, 200)
