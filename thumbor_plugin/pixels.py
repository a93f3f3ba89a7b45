"""The pixels Thumbor is about to crop, as a metadata-free Pillow image for smartcrop_core.

Why not hand the core the source bytes or the engine's own image object:
- the detector and the filters run after Thumbor's ``normalize()`` (MAX_WIDTH/MAX_HEIGHT), its
  ``reorientate()`` (when RESPECT_ORIENTATION is on) and its trim, and Thumbor applies focal points and
  crops in *that* image's pixel coordinates, so the analysis must see exactly those pixels;
- Pillow keeps the original EXIF block (orientation 6, say) in ``image.info`` even after Thumbor has
  rotated the pixels, and smartcrop_core applies EXIF orientation itself: passing the engine's image
  as it is would rotate an upright image a second time. A copy with empty ``info`` carries no
  orientation, so the core analyses the pixels as they are, whatever RESPECT_ORIENTATION says.

Memory: the model sees the image at about 256 pixels on its long side, so for analysis a large image is
box-reduced (``Image.reduce``, an integer factor) to at most ANALYSIS_LONG_SIDE first; the runner maps
the analysis back to the engine's pixel size. A full-size copy of a 75 MP image (Thumbor's MAX_PIXELS)
would cost 225 MB more per request on top of Thumbor's own decode, and the core's RGB conversion another
225 MB; the reduced copy costs at most 12 MB.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from smartcrop_core import ImageError

#: Long side (pixels) above which the analysis copy is box-reduced: 8x the model's input, so the
#: saliency grid is that of the full image to within resampling noise (the core's own JPEG path
#: decodes at a reduced scale the same way).
ANALYSIS_LONG_SIDE = 2048
#: Modes ``Image.reduce`` handles without a full-size conversion first (others are copied as they are).
_REDUCIBLE_MODES = ("RGB", "L", "RGBA", "LA")


def unwrap(engine: Any) -> Any:
    """The real engine behind Thumbor's JSONEngine (meta requests), whose image is always current."""
    inner = getattr(engine, "engine", None)
    return inner if inner is not None and hasattr(inner, "size") else engine


def reduction(size: "tuple[int, int]", long_side: int | None) -> int:
    """The integer factor that brings ``size`` to at most ``long_side`` on its long side (1: keep it)."""
    if not long_side:
        return 1
    return max(1, -(-max(size) // long_side))


def engine_image(engine: Any, long_side: int | None = None) -> Image.Image:
    """A copy of the engine's current first frame without metadata (no EXIF, so no second rotation).

    With ``long_side``, a larger image is box-reduced by an integer factor to at most that long side
    (see ``reduction``); the caller maps coordinates back. Thumbor decodes lazily, so a truncated file
    fails only here: any failure becomes one ImageError.
    """
    real = unwrap(engine)
    image = getattr(real, "image", None)
    try:
        if isinstance(image, Image.Image):
            factor = reduction(image.size, long_side)
            clean = image.reduce(factor) if factor > 1 and image.mode in _REDUCIBLE_MODES else image.copy()
        else:  # engines that do not hold a Pillow image (e.g. OpenCV engines) all implement this one
            mode, data = real.image_data_as_rgb(False)
            clean = Image.frombytes(mode, tuple(real.size), data)
            factor = reduction(clean.size, long_side)
            if factor > 1 and clean.mode in _REDUCIBLE_MODES:
                clean = clean.reduce(factor)
    except Exception as error:  # the decoder boundary, as in smartcrop_core.loading
        message = str(error).strip().splitlines()
        raise ImageError(f"cannot decode the image: {message[0] if message else type(error).__name__}") from error
    clean.info = {}
    return clean
