"""Who wins a join: larger share of own area kept, ties, the top point on an image or in the gap."""

from __future__ import annotations

import pytest

from smartcrop_core.analysis import Point
from smartcrop_audit.outcomes import crop_score, kept_shares, point_score
from smartcrop_core.geometry import Box

REGIONS = (Box(0, 0, 100, 100), Box(120, 0, 200, 100))  # first 100 wide, gap 20, second 200 wide


@pytest.mark.parametrize("left, expected", [(0, 1.0), (220, 0.0), (10, 1.0), (120, 0.0)])
def test_crop_keeps_the_image_with_the_larger_share_of_itself(left, expected):
    assert crop_score(Box(left, 0, 100, 100), REGIONS) == expected


def test_share_is_relative_to_each_image_size():
    # 40 px of the 100-px image (40%) beat 60 px of the 200-px image (30%).
    box = Box(60, 0, 120, 100)
    assert kept_shares(box, REGIONS) == pytest.approx((0.4, 0.3))
    assert crop_score(box, REGIONS) == 1.0


def test_equal_shares_are_a_tie():
    regions = (Box(0, 0, 100, 100), Box(120, 0, 100, 100))
    assert crop_score(Box(60, 0, 100, 100), regions) == 0.5


@pytest.mark.parametrize("x, expected", [(0.1, 1.0), (0.9, 0.0), (110 / 320, 0.5)])
def test_top_point_owner(x, expected):
    assert point_score(Point(x, 0.5, 1.0), (320, 100), REGIONS) == expected
