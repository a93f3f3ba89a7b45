"""The report's plot, drawn with Pillow: shares with confidence intervals, one row each (a forest plot).

Pillow only, so the audit needs nothing the core does not already have (no matplotlib).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

FLAGGED = (200, 30, 40)
NORMAL = (40, 40, 40)
GRID = (215, 215, 215)
REFERENCE = (60, 110, 200)


@dataclass(frozen=True)
class PlotRow:
    """One line of the plot; a row whose value is NaN is a heading (label only)."""

    label: str
    value: float = math.nan
    low: float = math.nan
    high: float = math.nan
    flagged: bool = False


def forest_plot(rows: list[PlotRow], title: str, axis_label: str, reference: float | None = 0.5,
                width: int = 960, row_height: int = 26) -> Image.Image:
    """Rows of value +- interval on a 0..1 axis, with an optional reference line (parity)."""
    font = ImageFont.load_default(size=14)
    bold = ImageFont.load_default(size=17)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    label_width = min(width // 2, 20 + max((measure.textlength(r.label, font=font) for r in rows), default=100))
    left, right = int(label_width) + 40, width - 30
    top = 50
    height = top + row_height * max(1, len(rows)) + 60
    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    draw.text((10, 12), title, fill=NORMAL, font=bold)

    def x_of(value: float) -> float:
        return left + (right - left) * min(max(value, 0.0), 1.0)

    bottom = top + row_height * max(1, len(rows))
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = x_of(tick)
        draw.line([(x, top - 5), (x, bottom)], fill=GRID, width=1)
        text = f"{tick:.0%}"
        draw.text((x - measure.textlength(text, font=font) / 2, bottom + 6), text, fill=NORMAL, font=font)
    draw.text((left, bottom + 28), axis_label, fill=NORMAL, font=font)
    if reference is not None:
        x = x_of(reference)
        for y in range(top - 5, bottom, 8):  # dashed
            draw.line([(x, y), (x, min(y + 4, bottom))], fill=REFERENCE, width=2)
    for index, row in enumerate(rows):
        y = top + row_height * index + row_height / 2
        heading = math.isnan(row.value)
        colour = FLAGGED if row.flagged else NORMAL
        draw.text((10 if heading else 24, y - 8), row.label, fill=colour, font=bold if heading else font)
        if heading:
            continue
        if not (math.isnan(row.low) or math.isnan(row.high)):
            draw.line([(x_of(row.low), y), (x_of(row.high), y)], fill=colour, width=3)
            for end in (row.low, row.high):
                draw.line([(x_of(end), y - 5), (x_of(end), y + 5)], fill=colour, width=2)
        x = x_of(row.value)
        draw.ellipse([x - 5, y - 5, x + 5, y + 5], fill=colour)
    return picture
