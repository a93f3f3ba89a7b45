"""``model_input`` (what training reads) is exactly what ``analyze`` feeds the model, for every shape."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import smartcrop_core
from smartcrop_core import SaliencyModel, model_input, model_input_size
from testsupport.images import encode, scene, with_orientation

SHAPES = [(800, 600), (600, 800), (512, 512), (4000, 300), (31, 2000), (1, 1), (1280, 720)]


def _fed_to_the_model(monkeypatch, image) -> np.ndarray:
    seen = []
    predict = SaliencyModel.predict

    def recording(self, small):
        seen.append(np.asarray(small).copy())
        return predict(self, small)

    monkeypatch.setattr(SaliencyModel, "predict", recording)
    smartcrop_core.analyze(image, ["1:1"])
    (pixels,) = seen
    return pixels


def _cases():
    for width, height in SHAPES:
        yield f"jpeg {width}x{height}", encode(scene(width, height), "JPEG", quality=90)
        yield f"png {width}x{height}", encode(scene(width, height), "PNG")
    transparent = scene(300, 200).convert("RGBA")
    transparent.putalpha(Image.linear_gradient("L").resize((300, 200)))
    yield "rgba png", encode(transparent, "PNG")
    for orientation in (3, 6, 8):
        yield f"exif {orientation}", with_orientation(scene(640, 400), orientation)


@pytest.mark.parametrize("name, data", list(_cases()), ids=[name for name, _ in _cases()])
def test_model_input_is_what_analyze_feeds_the_model(monkeypatch, shipped_model, name, data):
    long_side = smartcrop_core.get_model().input_long_side
    pixels, upright = model_input(data, long_side)
    assert np.array_equal(pixels, _fed_to_the_model(monkeypatch, data))
    assert pixels.dtype == np.uint8 and pixels.shape[2] == 3
    assert (pixels.shape[1], pixels.shape[0]) == model_input_size(*upright, long_side)


@pytest.mark.parametrize("size, expected", [((800, 600), (256, 192)), ((600, 800), (192, 256)),
                                            ((4000, 300), (256, 32)), ((1, 1), (256, 256))])
def test_model_input_size_keeps_the_long_side_and_rounds_the_short_one(size, expected):
    assert model_input_size(*size, 256) == expected
