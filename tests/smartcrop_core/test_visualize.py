"""The debug picture: every ratio's label readable, none drawn over another."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image, ImageDraw

from smartcrop_core import Analysis, Box, Point
from smartcrop_core.visualize import overlay


def _analysis(width, height, boxes):
    grid = np.full((6, 8), 1 / 48, dtype=np.float32)
    return Analysis(width, height, grid, (Point(0.5, 0.5, 1.0),), 0.0, "test@0", boxes)


def _drawn_labels(monkeypatch, picture_size, analysis):
    """Where overlay() drew each text: (text, its bounding box), recorded from the real drawing calls."""
    drawn = []
    original = ImageDraw.ImageDraw.text

    def text(self, xy, content, *args, **kwargs):
        drawn.append((content, self.textbbox(xy, content, font=kwargs.get("font"),
                                                 stroke_width=kwargs.get("stroke_width", 0), anchor=kwargs.get("anchor"))))
        return original(self, xy, content, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    overlay(Image.new("RGB", picture_size), analysis)
    return drawn


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


CASES = {
    # A portrait picture: the 1:1 box sits one label-row lower than the 4:5 box.
    "portrait": (300, 400, {"16:9": Box(0, 120, 300, 169), "1:1": Box(0, 26, 300, 300),
                            "4:5": Box(0, 12, 300, 375), "9:16": Box(37, 0, 225, 400)}),
    "landscape, shared corner": (400, 300, {"16:9": Box(0, 37, 400, 225), "1:1": Box(0, 0, 300, 300),
                                            "4:5": Box(0, 0, 240, 300), "9:16": Box(0, 0, 169, 300)}),
    "tiny": (60, 40, {"16:9": Box(0, 3, 60, 34), "1:1": Box(10, 0, 40, 40), "4:5": Box(14, 0, 32, 40)}),
}


@pytest.mark.parametrize("case", CASES)
def test_no_label_is_drawn_over_another(monkeypatch, case):
    width, height, boxes = CASES[case]
    drawn = _drawn_labels(monkeypatch, (width, height), _analysis(width, height, boxes))
    assert sorted(text for text, _ in drawn) == sorted(boxes)
    for (first, a), (second, b) in itertools.combinations(drawn, 2):
        assert not _overlap(a, b), f"{first} is drawn over {second}"


def test_labels_stay_inside_the_picture(monkeypatch):
    width, height, boxes = CASES["portrait"]
    for _, (left, top, right, bottom) in _drawn_labels(monkeypatch, (width, height), _analysis(width, height, boxes)):
        assert 0 <= left and 0 <= top and right <= width and bottom <= height


def test_audit_pictures_label_the_join_ratio_as_a_ratio(monkeypatch):
    """The audit joins two 2:3 portraits side by side: its pictures say "2:3", not "0.6667"."""
    from smartcrop_audit.examples import decision_picture
    from smartcrop_audit.pairs import join
    from smartcrop_core.ratios import ratio_label

    portrait = Image.new("RGB", (512, 768))
    joined = join(portrait, portrait, "horizontal", side=384)
    label = ratio_label(joined.ratio)
    assert label == "2:3"
    width, height = joined.image.size
    analysis = _analysis(width, height, {label: Box(0, 0, 256, 384)})
    drawn = []
    original = ImageDraw.ImageDraw.text
    monkeypatch.setattr(ImageDraw.ImageDraw, "text",
                        lambda self, xy, text, *a, **k: (drawn.append(text), original(self, xy, text, *a, **k))[1])
    decision_picture(joined.image, analysis, label, Box(0, 0, 256, 384), ["caption"])
    assert "2:3" in drawn and not any("0.6667" in text for text in drawn)
