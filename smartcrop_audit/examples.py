"""Example pictures for the report: the core's debug overlay (heat map, top point, crop box) plus the
Twitter-rule box and a caption saying what was decided, so a reader can check a number by eye."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from smartcrop_core import Analysis, Box, overlay
from smartcrop_core import BOX_COLOURS

MASS_COLOUR = BOX_COLOURS[0]  # overlay() draws the first ratio's box in this colour
TWITTER_COLOUR = BOX_COLOURS[1]
REGION_COLOUR = (80, 220, 80)


def captioned(picture: Image.Image, lines: list[str]) -> Image.Image:
    """The picture with a white band of text lines below it."""
    font = ImageFont.load_default(size=14)
    band = 8 + 18 * len(lines)
    measure = ImageDraw.Draw(picture)
    width = max([picture.width] + [round(measure.textlength(line, font=font)) + 12 for line in lines])
    canvas = Image.new("RGB", (width, picture.height + band), "white")
    canvas.paste(picture, (0, 0))
    draw = ImageDraw.Draw(canvas)
    for index, line in enumerate(lines):
        draw.text((6, picture.height + 5 + 18 * index), line, fill=(20, 20, 20), font=font)
    return canvas


def outline(picture: Image.Image, box: Box, colour: tuple[int, int, int], label: str = "",
            scale: tuple[float, float] = (1.0, 1.0)) -> None:
    """Draw a box (in analysis pixels, scaled to the picture) with a label at its bottom-left corner."""
    draw = ImageDraw.Draw(picture)
    box = box.scaled(*scale)
    line = max(2, round(min(picture.size) / 150))
    draw.rectangle([box.left, box.top, box.right - 1, box.bottom - 1], outline=colour, width=line)
    if label:
        font = ImageFont.load_default(size=max(10, round(min(picture.size) / 30)))
        draw.text((box.left + 2 * line, box.bottom - 2 * line - font.size), label, fill=colour, font=font)


def decision_picture(image: Image.Image, analysis: Analysis, ratio_label: str, twitter_box: Box,
                     caption: list[str], regions: list[tuple[Box, str]] | None = None) -> Image.Image:
    """Overlay (mass box in cyan, top point as a white circle), the twitter box in magenta, extra
    labelled regions (faces, persons) in green, and a caption."""
    picture = overlay(image, analysis, [ratio_label])
    scale = (picture.width / analysis.width, picture.height / analysis.height)
    outline(picture, twitter_box, TWITTER_COLOUR, "twitter", scale)
    for box, label in regions or []:
        outline(picture, box, REGION_COLOUR, label, scale)
    legend = "cyan: mass crop (default)  magenta: twitter crop  white circle: top salient point"
    return captioned(picture, caption + [legend])
