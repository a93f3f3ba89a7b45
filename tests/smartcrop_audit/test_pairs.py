"""Pair building and joining: equal sizes, a neutral gap, a crop that holds only one image, seeded draws."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from smartcrop_audit.outcomes import kept_shares
from smartcrop_audit.pairs import GAP_FILL, draw_pairs, gap_pixels, join
from smartcrop_core.geometry import Box, largest_size


def solid(width: int, height: int, colour: tuple[int, int, int]) -> Image.Image:
    return Image.new("RGB", (width, height), colour)


@pytest.mark.parametrize("direction", ["horizontal", "vertical"])
def test_join_equalises_the_shared_side_and_leaves_a_grey_gap(direction):
    first, second = solid(300, 400, (255, 0, 0)), solid(800, 200, (0, 0, 255))
    joined = join(first, second, direction, side=200, gap=0.1)
    a, b = joined.regions
    pixels = np.asarray(joined.image)
    if direction == "horizontal":
        assert a.height == b.height == joined.size[1] == 200
        assert (a.width, b.width) == (150, 800)  # aspect kept
        assert b.left - a.right == 20 == gap_pixels(200, 0.1)
        gap = pixels[:, a.right : b.left]
    else:
        assert a.width == b.width == joined.size[0] == 200
        assert (a.height, b.height) == (267, 50)
        assert b.top - a.bottom == 20
        gap = pixels[a.bottom : b.top, :]
    assert gap.size and np.all(gap == GAP_FILL)
    assert np.all(pixels[a.top + 5, a.left + 5] == (255, 0, 0)) and np.all(pixels[b.top + 5, b.left + 5] == (0, 0, 255))


def test_join_in_both_orders_mirrors_the_regions():
    first, second = solid(300, 300, (255, 0, 0)), solid(400, 300, (0, 0, 255))
    ab, ba = join(first, second, "horizontal", 300), join(second, first, "horizontal", 300)
    assert ab.size == ba.size and ab.ratio == ba.ratio
    assert (ab.regions[0].width, ab.regions[1].width) == (ba.regions[1].width, ba.regions[0].width)


def test_no_gap_when_asked():
    joined = join(solid(100, 100, (0, 0, 0)), solid(100, 100, (9, 9, 9)), "horizontal", 100, gap=0)
    assert joined.regions[1].left == joined.regions[0].right and joined.size == (200, 100)


@settings(max_examples=60, deadline=None)
@given(
    st.tuples(st.integers(20, 400), st.integers(20, 400)),
    st.tuples(st.integers(20, 400), st.integers(20, 400)),
    st.sampled_from(["horizontal", "vertical"]),
    st.floats(0.0, 0.3),
    st.floats(0.0, 1.0),
)
def test_the_crop_window_never_holds_more_than_half_of_both(size_a, size_b, direction, gap, position):
    joined = join(solid(*size_a, (0, 0, 0)), solid(*size_b, (0, 0, 0)), direction, 64, gap)
    width, height = joined.size
    box_width, box_height = largest_size(width, height, joined.ratio)
    along = box_width if direction == "horizontal" else box_height
    lengths = [r.width if direction == "horizontal" else r.height for r in joined.regions]
    assert abs(along - min(lengths)) <= 1  # as long as the shorter image: it can hold that one whole
    free = (width - box_width, height - box_height)
    box = Box(round(free[0] * position), round(free[1] * position), box_width, box_height)
    first, second = kept_shares(box, joined.regions)
    assert not (first > 0.5 + 1 / min(lengths) and second > 0.5 + 1 / min(lengths))


def test_draw_pairs_are_distinct_and_seeded():
    pairs = draw_pairs(10, 7, 30, np.random.default_rng(1))
    assert pairs.shape == (30, 2) and len({tuple(p) for p in pairs}) == 30
    assert pairs[:, 0].max() < 10 and pairs[:, 1].max() < 7 and pairs.min() >= 0
    assert np.array_equal(pairs, draw_pairs(10, 7, 30, np.random.default_rng(1)))
    assert not np.array_equal(pairs, draw_pairs(10, 7, 30, np.random.default_rng(2)))


def test_asking_for_more_pairs_than_exist_uses_every_combination_once():
    pairs = draw_pairs(4, 3, 1000, np.random.default_rng(0))
    assert sorted(map(tuple, pairs)) == [(i, j) for i in range(4) for j in range(3)]
    assert draw_pairs(0, 3, 10, np.random.default_rng(0)).shape == (0, 2)
