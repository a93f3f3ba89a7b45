"""Cut boxes out of one decode: the loading, draft and size rules shared by crop(), crop_many() and crop_box().

A JPEG is decoded only as large as the largest output needs (Pillow ``draft``); each box is then mapped
to the decoded size, cut and scaled with Lanczos. Sizes are checked before anything is decoded.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

from PIL import Image

from .errors import RatioError
from .geometry import Box
from .loading import ImageSource, Source
from .sizes import checked_side, output_size

#: A box of the upright image and the (width, height) to scale it to; None keeps the box's own size.
Cut = Tuple[Box, Optional[Tuple[int, int]]]


def cut(source: Source, image_size: tuple[int, int], plans: Sequence[Cut]) -> list[Image.Image]:
    """Decode ``source`` once, at the smallest size that gives every output its pixels, and cut each box.

    ``image_size`` is the upright size the boxes refer to (an analysis's width and height).
    """
    width, height = image_size
    needed = [1, 1]
    for box, out_size in plans:
        if out_size is None:
            needed = [width, height]
        else:  # the decode must give this box at least the output's pixels
            needed[0] = max(needed[0], -(-out_size[0] * width // box.width))
            needed[1] = max(needed[1], -(-out_size[1] * height // box.height))
    full = source.load(min_size=(needed[0], needed[1]))
    scale_x, scale_y = full.width / width, full.height / height
    results = []
    for box, out_size in plans:
        if full.size != (width, height):
            box = box.scaled(scale_x, scale_y)
        result = full.crop(box.as_pil())
        if out_size is not None and result.size != out_size:
            result = result.resize(out_size, Image.LANCZOS, reducing_gap=3.0)
        results.append(result)
    return results


def crop_box(
    image: ImageSource,
    box: Box,
    size: "tuple[int | None, int | None] | None" = None,
    *,
    max_pixels: int | None = None,
) -> Image.Image:
    """Cut a known ``box`` (pixels of the upright image) and scale it to ``size`` = (width, height).

    Either side of ``size`` may be None: it is then computed from the box's own ratio (as crop() does
    for a width or a height); ``size=None`` keeps the box's pixels. No model runs. Raises RatioError
    for an output side outside 1..MAX_OUTPUT_SIDE (before any decode) or a box not inside the image
    (after reading the header only), ImageError for a bad image.
    """
    if box.width < 1 or box.height < 1:
        raise RatioError(f"a crop box must be at least 1 x 1 px, got {box.width} x {box.height}")
    out_size = _box_output_size(box, size)
    source = Source(image, max_pixels)
    info = source.info()
    if box.left < 0 or box.top < 0 or box.right > info.width or box.bottom > info.height:
        raise RatioError(f"the box {box.as_list()} is not inside the {info.width} x {info.height} image")
    (result,) = cut(source, (info.width, info.height), [(box, out_size)])
    return result


def _box_output_size(box: Box, size: "tuple[int | None, int | None] | None") -> tuple[int, int] | None:
    if size is None:
        return None
    width, height = size
    if width is not None and height is not None:
        return checked_side("width", width), checked_side("height", height)
    return output_size(box.width / box.height, width, height)
