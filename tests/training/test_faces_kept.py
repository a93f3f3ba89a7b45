"""training/faces_kept.py: a face counts as kept when 90% of its box is inside the crop."""
from __future__ import annotations

from smartcrop_core import Box

from training.faces_kept import kept


def test_a_face_is_kept_only_when_nine_tenths_of_it_is_inside_the_crop() -> None:
    crop = Box(left=0, top=100, width=512, height=288)  # rows 100..388
    assert kept(crop, (200, 150, 100, 100))  # wholly inside
    assert kept(crop, (200, 95, 100, 100))  # 95% inside
    assert not kept(crop, (200, 80, 100, 100))  # 80% inside: cut
    assert not kept(crop, (200, 400, 100, 100))  # below the crop
