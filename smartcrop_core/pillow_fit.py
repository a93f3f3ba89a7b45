"""``fit``: a drop-in for ``PIL.ImageOps.fit`` whose window is placed by saliency instead of ``centering``.

Same arguments and the same result shape as Pillow's: an image of exactly ``size``, in the input's
mode, cut from the largest window of that ratio inside the ``bleed`` margin and scaled with
``method``. Only where the window sits differs: where it holds the most predicted attention.
"""

from __future__ import annotations

import os
from typing import Sequence

from PIL import Image, ImageOps

from . import geometry
from .analysis import Analysis, CropOptions, compute_box
from .api import analyze
from .loading import _ORIENTATION_TAG, _orientation
from .model import SaliencyModel
from .sizes import checked_side


def fit(
    image: Image.Image,
    size: Sequence[int],
    method: int = Image.Resampling.BICUBIC,
    bleed: float = 0.0,
    centering: Sequence[float] = (0.5, 0.5),
    *,
    analysis: Analysis | None = None,
    options: CropOptions | None = None,
    model: "SaliencyModel | str | os.PathLike[str] | None" = None,
) -> Image.Image:
    """Like ``ImageOps.fit(image, size, method, bleed, centering)``, the window placed by saliency.

    ``centering`` is accepted so existing calls need no change; it is used only with
    ``options=CropOptions(strategy="centre")``, which then gives exactly Pillow's result. Pass a stored
    ``analysis`` (of this picture, at any pixel size) to skip the model. The pixels are those of the
    image as given: an EXIF orientation tag is not applied, as Pillow does not apply it either.
    """
    out_width, out_height = checked_side("width", size[0]), checked_side("height", size[1])
    if not 0.0 <= bleed < 0.5:
        raise ValueError(f"bleed must be within 0 <= bleed < 0.5, got {bleed}")
    options = options or CropOptions()
    if options.strategy == "centre":
        return ImageOps.fit(image, (out_width, out_height), method, bleed, tuple(centering))  # type: ignore[arg-type]
    if analysis is None:
        analysis = analyze_as_given(image, options, model)
    if (analysis.width, analysis.height) != image.size:
        analysis = analysis.resized(*image.size)
    box = _window(analysis, out_width / out_height, bleed, options)
    return image.resize((out_width, out_height), method, box=box.as_pil())


def analyze_as_given(image: Image.Image, options: CropOptions | None = None,
                     model: "SaliencyModel | str | os.PathLike[str] | None" = None) -> Analysis:
    """The analysis (no boxes) of a Pillow image's pixels as they are, ignoring any EXIF orientation tag:
    what an adapter needs when a library hands it a decoded, already-oriented image."""
    return analyze(_as_given(image), [], options=options or CropOptions(), model=model)


def _window(analysis: Analysis, ratio: float, bleed: float, options: CropOptions) -> geometry.Box:
    """The saliency window of ``ratio``, as large as fits inside the bleed margin, kept inside it."""
    width, height = analysis.width, analysis.height
    margin_x, margin_y = int(bleed * width), int(bleed * height)
    if not margin_x and not margin_y:
        return compute_box(analysis, ratio, options)
    live_width, live_height = max(1, width - 2 * margin_x), max(1, height - 2 * margin_y)
    box_width, box_height = geometry.largest_size(live_width, live_height, ratio)
    placed = geometry.place_by_mass(analysis.grid, width, height, box_width, box_height)
    left = min(max(placed.left, margin_x), margin_x + live_width - box_width)
    top = min(max(placed.top, margin_y), margin_y + live_height - box_height)
    return geometry.Box(left, top, box_width, box_height)


def _as_given(image: Image.Image) -> Image.Image:
    """The image without its EXIF orientation, so the analysis is of the pixels Pillow will cut."""
    if _orientation(image) == 1:
        return image
    plain = image.copy()
    plain.info.pop("exif", None)
    plain.getexif().pop(_ORIENTATION_TAG, None)
    return plain
