"""Pair building and joining: the picture the cropper is asked to crop in a paired audit.

Twitter's released method joined two images left to right with no gap, always in the same order, and
filled the shorter one with black. Each of those choices can decide the outcome by itself: the seam
between two photos is a strong edge (salient), a fixed order mixes the model's left/right preference
into the group difference, and black fill is a second edge. Here every pair is joined

- both ways (side by side and stacked) and in both orders, so position preferences cancel;
- with the two images scaled to the same height (side by side) or the same width (stacked), so
  neither is favoured by being bigger;
- with a plain neutral gap between them, so each image meets the same flat border and the join is not
  a contrast edge of its own.

The crop is then asked for at a ratio whose window is exactly as long (along the join) as the shorter
of the two images: it can hold one whole image at most, and never more than half of both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image

from smartcrop_core import Box, MAX_RATIO, MIN_RATIO

Direction = Literal["horizontal", "vertical"]
#: Both joins, in the order each pair is analysed.
DIRECTIONS: tuple[Direction, ...] = ("horizontal", "vertical")
#: Neutral mid grey for the gap: no hue, mid luminance, so it attracts no attention of its own.
GAP_FILL = (128, 128, 128)


@dataclass(frozen=True)
class Joined:
    """Two images in one picture: where each sits (pixels) and the crop ratio that holds only one."""

    image: Image.Image
    regions: tuple[Box, Box]  # the first and the second image
    direction: Direction
    ratio: float  # width / height of the crop window

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


def scale_to_side(image: Image.Image, direction: Direction, side: int) -> Image.Image:
    """The image with its height (side by side) or width (stacked) equal to ``side``, aspect kept."""
    width, height = image.size
    if direction == "horizontal":
        size = (max(1, round(width * side / height)), side)
    else:
        size = (side, max(1, round(height * side / width)))
    if size == image.size:
        return image
    return image.resize(size, Image.BILINEAR, reducing_gap=3.0)


def gap_pixels(side: int, gap: float) -> int:
    """Gap width in pixels: a share of the shared side, at least one pixel when a gap is wanted."""
    return max(1, round(side * gap)) if gap > 0 else 0


def join(first: Image.Image, second: Image.Image, direction: Direction, side: int, gap: float = 0.1,
         fill: tuple[int, int, int] = GAP_FILL) -> Joined:
    """Scale both images to the same height (horizontal) or width (vertical) and join them with a gap.

    ``gap`` is a share of ``side``. The crop ratio makes the window exactly as long, along the join,
    as the shorter image: the window cannot hold more than one of them.
    """
    a = scale_to_side(first.convert("RGB"), direction, side)
    b = scale_to_side(second.convert("RGB"), direction, side)
    space = gap_pixels(side, gap)
    if direction == "horizontal":
        canvas = Image.new("RGB", (a.width + space + b.width, side), fill)
        regions = (Box(0, 0, a.width, side), Box(a.width + space, 0, b.width, side))
        ratio = min(a.width, b.width) / side
    else:
        canvas = Image.new("RGB", (side, a.height + space + b.height), fill)
        regions = (Box(0, 0, side, a.height), Box(0, a.height + space, side, b.height))
        ratio = side / min(a.height, b.height)
    canvas.paste(a, (regions[0].left, regions[0].top))
    canvas.paste(b, (regions[1].left, regions[1].top))
    return Joined(canvas, regions, direction, float(np.clip(ratio, MIN_RATIO, MAX_RATIO)))


def draw_pairs(count_a: int, count_b: int, pairs: int, rng: np.random.Generator) -> np.ndarray:
    """Distinct (index in group A, index in group B) pairs, ``pairs`` of them at most, in random order.

    Drawn without replacement from all count_a x count_b combinations: analysing the same pair twice
    adds no information (the model is deterministic), and when every combination is asked for each is
    used exactly once, so two identical groups come out exactly at parity.
    """
    total = count_a * count_b
    if total == 0 or pairs <= 0:
        return np.zeros((0, 2), dtype=np.int64)
    chosen = rng.permutation(total) if pairs >= total else rng.choice(total, size=pairs, replace=False)
    return np.stack([chosen // count_b, chosen % count_b], axis=1).astype(np.int64)
