"""The core refuses an output side over MAX_OUTPUT_SIDE; Django's sizing clamps before it gets there."""

from __future__ import annotations

import pytest

from smartcrop_core import Box
from smartcrop_core.api import MAX_OUTPUT_SIDE
from django_smartcrop.specs import fit_output


@pytest.mark.parametrize("upscale", [False, True])
@pytest.mark.parametrize("ratio, box, width, height", [
    ("1:100", Box(0, 0, 120, 12000), None, None),  # a very tall image: the box itself is over the bound
    ("1:100", Box(0, 0, 120, 12000), 200, None),
    ("100:1", Box(0, 0, 12000, 120), None, 100),
])
def test_extreme_ratios_are_clamped_not_refused(settings, upscale, ratio, box, width, height):
    settings.SMARTCROP_UPSCALE = upscale
    size = fit_output(ratio, box, width, height)
    assert max(size) <= min(MAX_OUTPUT_SIDE, 4000)
    assert abs(size[0] / size[1] - (0.01 if ratio == "1:100" else 100)) / (0.01 if ratio == "1:100" else 100) < 0.03
