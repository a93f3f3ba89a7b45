"""Debug pictures: the saliency heat map over the image, the top point and each ratio's crop box.

Pure Pillow + numpy (no matplotlib), so the CLI, the Thumbor debug filter and the Django admin can all
draw the same picture.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .analysis import Analysis
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
    font_size = max(10, round(min(base.size) / 30))
    font = ImageFont.load_default(size=font_size)
    for index, label in enumerate(labels):
        box = analysis.box(label).scaled(scale_x, scale_y)
        colour = BOX_COLOURS[index % len(BOX_COLOURS)]
        draw.rectangle([box.left, box.top, box.right - 1, box.bottom - 1], outline=colour, width=line)
        # Boxes often share a corner: stagger the labels so none hides another.
        draw.text((box.left + 2 * line, box.top + 2 * line + index * (font_size + 4)), label, fill=colour, font=font,
                  stroke_width=1, stroke_fill=(0, 0, 0))
    if analysis.points:
        point = analysis.top_point
        x, y, radius = point.x * base.width, point.y * base.height, 3 * line
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=(255, 255, 255), width=line)
    return picture
