"""Pure parts: box precedence, output sizes, crop names (table-driven; fit_box is tested with the core)."""

from __future__ import annotations

import pytest
from smartcrop_core import Box, RatioError

from django_smartcrop.specs import CropSpec, fit_output
from django_smartcrop.state import CropState

ANALYSIS = {"model": "m@1", "boxes": {"16:9": [10, 0, 160, 90]}, "points": [[0.25, 0.75, 1.0]]}


@pytest.mark.parametrize(
    "state, expected",
    [
        (CropState("a.jpg", width=200, height=90, analysis=ANALYSIS, overrides={"16:9": [40, 0, 160, 90]}),
         ([40, 0, 160, 90], "manual")),
        (CropState("a.jpg", width=200, height=90, analysis=ANALYSIS), ([10, 0, 160, 90], "auto")),
        (CropState("a.jpg", status="error", width=200, height=90, error="ImageError"), ([20, 0, 160, 90], "centre")),
        (CropState("a.jpg", status="error", error="ImageError"), None),
    ],
    ids=["manual", "auto", "centre", "unknown-size"],
)
def test_box_precedence(state, expected):
    resolved = state.box("16:9")
    assert (None if resolved is None else (resolved[0].as_list(), resolved[1])) == expected


@pytest.mark.parametrize(
    "ratio, box, width, height, max_size, upscale, expected",
    [
        ("16:9", Box(0, 0, 1600, 900), 800, None, 4000, False, (800, 450)),
        ("16:9", Box(0, 0, 1600, 900), None, 90, 4000, False, (160, 90)),
        ("16:9", Box(0, 0, 160, 90), 800, None, 4000, False, (160, 90)),  # no upscaling
        ("16:9", Box(0, 0, 160, 90), 800, None, 4000, True, (800, 450)),
        ("16:9", Box(0, 0, 1600, 900), None, None, 4000, False, (1600, 900)),
        ("9:16", Box(0, 0, 900, 1600), None, None, 800, False, (450, 800)),  # bounded by MAX_SIZE
    ],
)
def test_fit_output(settings, ratio, box, width, height, max_size, upscale, expected):
    settings.SMARTCROP_MAX_SIZE = max_size
    settings.SMARTCROP_UPSCALE = upscale
    assert fit_output(ratio, box, width, height) == expected


def test_fit_output_refuses_zero():
    with pytest.raises(RatioError):
        fit_output("1:1", Box(0, 0, 10, 10), 0, None)


def test_names_change_with_everything_that_changes_pixels(settings):
    base = CropSpec("photos/a b.jpg", "abc", "16:9", Box(0, 0, 160, 90), "auto", 80, 45, 200, 90, "m@1", "JPEG")
    variants = [
        base.__class__(**{**base.__dict__, "source_hash": "abd"}),
        base.__class__(**{**base.__dict__, "box": Box(1, 0, 160, 90)}),
        base.__class__(**{**base.__dict__, "width": 81}),
        base.__class__(**{**base.__dict__, "model": "m@2"}),
        base.__class__(**{**base.__dict__, "ratio": "16:10"}),
    ]
    names = {base.name, *(v.name for v in variants)}
    assert len(names) == 6
    assert base.name.startswith("smartcrop/") and base.name.endswith("/a-b-16x9-80x45-" + base.digest + ".jpg")
    settings.SMARTCROP_JPEG_QUALITY = 70
    assert base.name not in names  # the encoding is part of it too
