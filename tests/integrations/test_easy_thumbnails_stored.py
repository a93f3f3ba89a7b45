"""easy-thumbnails with a SmartCropImageField: the analysis stored at upload is reused, no model run."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("easy_thumbnails", reason="easy-thumbnails not installed (pip install -e '.[easy-thumbnails]')")

import smartcrop_core  # noqa: E402
from django_smartcrop.integrations import easy_thumbnails as adapter  # noqa: E402
from tests.django_smartcrop.conftest import media, photo  # noqa: E402,F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_the_stored_analysis_is_reused_without_the_model(photo, monkeypatch):  # noqa: F811
    stored = photo.image.smartcrop.core_analysis()
    assert stored is not None
    photo.image.open()
    image = adapter.pil_image(photo.image)  # easy-thumbnails hands its field file: same instance and field
    assert image.info[adapter.STORED_ANALYSIS].to_json() == stored.to_json()

    def no_model(*args, **kwargs):
        raise AssertionError("the model ran")

    monkeypatch.setattr(smartcrop_core.SaliencyModel, "predict", no_model)
    thumb = adapter.scale_and_crop(image, (60, 60), crop="smart")
    assert thumb.size == (60, 60)
    box = stored.box("1:1")
    centre_x = (box.left + box.width / 2) / stored.width
    pixels = np.asarray(thumb, dtype=int)
    red = (pixels[..., 0] > 180) & (pixels[..., 1] < 90)
    assert red.mean() > 0.02, f"the salient disc is in the crop (box centre at x={centre_x:.2f})"


def test_a_file_without_stored_analysis_gives_none():
    class Plain:
        name = "x.jpg"

    assert adapter.stored_analysis(Plain()) is None
