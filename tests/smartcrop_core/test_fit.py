"""smartcrop_core.fit: a drop-in for PIL.ImageOps.fit whose window follows saliency."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

import smartcrop_core
from smartcrop_core import CropOptions, fit

from testsupport.images import scene, with_orientation


def red_share(image: Image.Image) -> float:
    """Share of the red disc's pixels (strong red) in an image."""
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    return float(((pixels[..., 0] > 180) & (pixels[..., 1] < 90)).mean())


@pytest.fixture(scope="module")
def picture() -> Image.Image:
    return scene(600, 300, spot=(0.88, 0.5), radius=0.15)


@pytest.mark.parametrize("size", [(100, 100), (90, 160), (64, 48), (1, 1), (300, 150)])
def test_same_size_and_mode_as_pillow(picture, size):
    for mode in ("RGB", "L", "RGBA"):
        image = picture.convert(mode)
        ours, pillows = fit(image, size), ImageOps.fit(image, size)
        assert (ours.size, ours.mode) == (pillows.size, pillows.mode) == (size, mode)


def test_window_holds_the_subject_the_centre_crop_loses(picture):
    assert red_share(ImageOps.fit(picture, (120, 120))) < 0.01
    assert red_share(fit(picture, (120, 120))) > 0.06  # the whole disc: 7% of the 300 x 300 window


def test_centre_strategy_is_exactly_pillow(picture):
    for centering, bleed in (((0.5, 0.5), 0.0), ((0.0, 1.0), 0.1)):
        ours = fit(picture, (80, 120), Image.Resampling.LANCZOS, bleed, centering, options=CropOptions(strategy="centre"))
        assert ours.tobytes() == ImageOps.fit(picture, (80, 120), Image.Resampling.LANCZOS, bleed, centering).tobytes()


def test_bleed_keeps_the_window_inside_the_margin(picture, monkeypatch):
    boxes = []
    original = Image.Image.resize

    def spy(self, size, resample=None, box=None, reducing_gap=None):
        if box is not None:
            boxes.append(box)
        return original(self, size, resample, box, reducing_gap)

    monkeypatch.setattr(Image.Image, "resize", spy)
    fit(picture, (100, 100), bleed=0.2)
    left, top, right, bottom = boxes[-1]
    assert left >= 0.2 * 600 - 1 and right <= 0.8 * 600 + 1 and top >= 0.2 * 300 - 1 and bottom <= 0.8 * 300 + 1
    assert right - left == pytest.approx(bottom - top, abs=1)


def test_a_stored_analysis_of_another_size_is_reused_without_the_model(picture, monkeypatch):
    analysis = smartcrop_core.analyze(picture.resize((300, 150)), [])

    def no_model(*args, **kwargs):
        raise AssertionError("the model ran")

    monkeypatch.setattr(smartcrop_core.pillow_fit, "analyze", no_model)
    assert red_share(fit(picture, (120, 120), analysis=analysis)) > 0.06


def test_pixels_as_given_even_with_an_orientation_tag(picture):
    tagged = Image.open(io.BytesIO(with_orientation(picture, 6)))
    assert tagged.size == (300, 600)  # stored sideways; Pillow's fit (and ours) cut these pixels
    plain = Image.frombytes(tagged.mode, tagged.size, tagged.tobytes())  # the same pixels, no tag
    ours = fit(tagged, (60, 60))
    assert ours.tobytes() == fit(plain, (60, 60)).tobytes()
    assert red_share(ours) > 0.05


@pytest.mark.parametrize("size, bleed", [((0, 10), 0.0), ((10, 10), 0.5), ((10, 10), -0.1)])
def test_bad_arguments(picture, size, bleed):
    with pytest.raises(ValueError):
        fit(picture, size, bleed=bleed)
