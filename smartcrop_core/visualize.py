"""Debug pictures: the saliency heat map over the image, the top point and each ratio's crop box.

Pure Pillow + numpy (no matplotlib), so the CLI, the Thumbor debug filter and the Django admin can all
draw the same picture.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .analysis import Analysis
from .geometry import Box
from .ratios import RatioLike, ratio_label

#: One colour per crop box, cycled.
BOX_COLOURS = ((0, 255, 255), (255, 0, 255), (255, 255, 0), (0, 255, 0), (255, 128, 0), (255, 255, 255))

# A small "inferno"-like colour ramp: black -> purple -> orange -> yellow.
_RAMP = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], dtype=np.float64)


def colourise(values: np.ndarray) -> np.ndarray:
    """Map values in 0..1 to RGB uint8 with the ramp above."""
    position = np.clip(values, 0.0, 1.0) * (len(_RAMP) - 1)
    lower = np.minimum(np.floor(position).astype(int), len(_RAMP) - 2)
    fraction = (position - lower)[..., None]
    return (_RAMP[lower] * (1 - fraction) + _RAMP[lower + 1] * fraction).astype(np.uint8)


def heatmap(analysis: Analysis, size: tuple[int, int]) -> Image.Image:
    """The saliency grid as an RGB heat map of the given size (peak = brightest)."""
    grid = analysis.grid / max(float(analysis.grid.max()), 1e-12)
    small = Image.fromarray(colourise(grid))
    return small.resize(size, Image.BILINEAR)


def overlay(image: Image.Image, analysis: Analysis, ratios: "list[RatioLike] | None" = None,
            alpha: float = 0.55) -> Image.Image:
    """The image (any size; the analysis' coordinates are scaled to it) with heat map, top point and boxes."""
    base = image.convert("RGB")
    picture = Image.blend(base, heatmap(analysis, base.size), alpha)
    draw = ImageDraw.Draw(picture)
    scale_x, scale_y = base.width / analysis.width, base.height / analysis.height
    line = max(2, round(min(base.size) / 150))
    labels = [ratio_label(r) for r in ratios] if ratios is not None else list(analysis.boxes)
    font = ImageFont.load_default(size=max(10, round(min(base.size) / 30)))
    boxes = [analysis.box(label).scaled(scale_x, scale_y) for label in labels]
    sizes = [_text_size(draw, label, font) for label in labels]
    for index, (label, box, place) in enumerate(zip(labels, boxes, place_labels(boxes, sizes, base.size, 2 * line))):
        colour = BOX_COLOURS[index % len(BOX_COLOURS)]
        draw.rectangle([box.left, box.top, box.right - 1, box.bottom - 1], outline=colour, width=line)
        draw.text(place, label, fill=colour, font=font, stroke_width=1, stroke_fill=(0, 0, 0), anchor="lt")
    if analysis.points:
        point = analysis.top_point
        x, y, radius = point.x * base.width, point.y * base.height, 3 * line
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=(255, 255, 255), width=line)
    return picture


Rect = Tuple[int, int, int, int]


def _text_size(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font, stroke_width=1, anchor="lt")
    return right - left, bottom - top


def place_labels(boxes: list[Box], sizes: list[tuple[int, int]], picture: tuple[int, int], pad: int) -> list[tuple[int, int]]:
    """Top-left corners for each box's label: inside a corner of its box, never over an earlier label.

    Boxes of different ratios often share a corner or an edge, so a fixed offset per label still lets
    two labels meet. Each label takes the first slot, going down (then up) its box's left edge, then
    its right edge, within the picture, that keeps a gap to every earlier label; on a picture too
    small for that, the slot that overlaps the least.
    """
    placed: list[Rect] = []
    corners = []
    gap = max(2, pad // 2)
    for box, (width, height) in zip(boxes, sizes):
        step = height + gap
        ys = [box.top + pad + k * step for k in range(len(boxes) + 1)]
        ys += [box.bottom - pad - height - k * step for k in range(len(boxes) + 1)]
        slots = [(min(max(x, 0), picture[0] - width), min(max(y, 0), picture[1] - height))
                 for x in (box.left + pad, box.right - pad - width) for y in ys]

        def clash(slot: tuple[int, int]) -> tuple[int, int]:
            rect = _rect(slot, width, height)
            return (sum(_overlap(rect, r) for r in placed), sum(_overlap(rect, _grown(r, gap)) for r in placed))

        chosen = min(slots, key=clash)  # min() keeps the first of equals: the preferred slot
        placed.append(_rect(chosen, width, height))
        corners.append(chosen)
    return corners


def _rect(corner: tuple[int, int], width: int, height: int) -> Rect:
    return corner[0], corner[1], corner[0] + width, corner[1] + height


def _grown(rect: Rect, by: int) -> Rect:
    return rect[0] - by, rect[1] - by, rect[2] + by, rect[3] + by


def _overlap(a: Rect, b: Rect) -> int:
    """The area two rectangles share."""
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
