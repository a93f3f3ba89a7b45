"""Who "wins" a joined pair: the image the crop keeps, and the image holding the top salient point.

Scores are given for the *first* image of the join: 1.0 = first wins, 0.0 = second wins, 0.5 = a tie.
Counting a tie as half a win keeps every pair in the denominator and pulls the share towards parity,
so ties can never create a difference.

- **Crop keeps** (the decision users see): the image with the larger share of its own area inside the
  crop window. The window is as long as the shorter image (see pairs.py), so at most one image can
  have more than half of itself inside; shares equal within ``TIE_TOLERANCE`` are a tie (a window
  centred on the gap between two equal images, as Twitter's rule produces for symmetric pictures).
- **Argmax** (Twitter's statistic): the image whose area contains the single most salient point. A top
  point in the gap is a tie.
"""

from __future__ import annotations

from smartcrop_core import Box, Point

#: Shares of own area kept that differ by less than this are a tie.
TIE_TOLERANCE = 0.01


def overlap(box: Box, region: Box) -> int:
    """Pixels of ``region`` inside ``box``."""
    width = min(box.right, region.right) - max(box.left, region.left)
    height = min(box.bottom, region.bottom) - max(box.top, region.top)
    return max(0, width) * max(0, height)


def kept_shares(box: Box, regions: tuple[Box, Box]) -> tuple[float, float]:
    """Share of each image's own area that lies inside the crop window (0..1)."""
    return tuple(overlap(box, region) / float(region.width * region.height) for region in regions)  # type: ignore[return-value]


def crop_score(box: Box, regions: tuple[Box, Box]) -> float:
    """1.0 if the crop keeps more of the first image (relative to its size), 0.0 if of the second, 0.5 if tied."""
    first, second = kept_shares(box, regions)
    if abs(first - second) < TIE_TOLERANCE:
        return 0.5
    return 1.0 if first > second else 0.0


def contains(box: Box, x: float, y: float) -> bool:
    """Whether the pixel position (x, y) lies inside ``box``."""
    return box.left <= x < box.right and box.top <= y < box.bottom


def point_score(point: Point, size: tuple[int, int], regions: tuple[Box, Box]) -> float:
    """1.0 if the (normalised) point lies on the first image, 0.0 on the second, 0.5 in the gap."""
    x, y = point.x * size[0], point.y * size[1]
    for score, region in ((1.0, regions[0]), (0.0, regions[1])):
        if contains(region, x, y):
            return score
    return 0.5
