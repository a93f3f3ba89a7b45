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
the analysis back to the engine's pixel size. No mode gets a full-size copy: the reduction runs over
horizontal strips of at most STRIP_BYTES, because ``Image.reduce`` premultiplies RGBA and LA images at
full size (+256 MB for 64 MP) and refuses P, 1 and 16-bit modes, which each strip converts first (P to
RGB/RGBA, 1 to L, I;16 to I and back, so the core still scales 16 bits as 16 bits). A full-size copy of
a 75 MP image (Thumbor's MAX_PIXELS) would cost 225 MB more per request on top of Thumbor's own decode;
the reduced copy costs at most 16 MB, plus one strip.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from smartcrop_core import ImageError, one_line, reduce_in_bands

#: Long side (pixels) above which the analysis copy is box-reduced: 8x the model's input, so the
#: saliency grid is that of the full image to within resampling noise (the core's own JPEG path
#: decodes at a reduced scale the same way).
ANALYSIS_LONG_SIDE = 2048
#: Bytes of source pixels reduced at a time (one strip of rows), whatever the image size.
STRIP_BYTES = 8 << 20
#: Modes ``Image.reduce`` premultiplies at full size before averaging: reduced strip by strip.
_PREMULTIPLIED = ("RGBA", "LA")
#: Per mode that ``Image.reduce`` cannot average as it is: the mode each strip is converted to first,
#: and the mode the reduced strip is converted back to (None: keep the working mode).
_WORKING_MODES: dict[str, tuple[str, str | None]] = {
    "1": ("L", None),
    "PA": ("RGBA", None),
    **{mode: ("I", "I;16") for mode in ("I;16", "I;16B", "I;16L", "I;16N")},
}


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
    """The engine's current first frame without metadata (no EXIF, so no second rotation), to read only.

    An image within ``long_side`` shares the engine's pixels (``same_pixels``); a larger one is
    box-reduced by an integer factor to at most that long side (see ``reduction``) and the caller maps
    coordinates back. Thumbor decodes lazily, so a truncated file fails only here: any failure becomes
    one ImageError.
    """
    real = unwrap(engine)
    image = getattr(real, "image", None)
    try:
        if not isinstance(image, Image.Image):  # engines without a Pillow image (e.g. OpenCV) all have this
            mode, data = real.image_data_as_rgb(False)
            image = Image.frombytes(mode, tuple(real.size), data)
        factor = reduction(image.size, long_side)
        clean = reduce_in_strips(image, factor) if factor > 1 else same_pixels(image)
    except Exception as error:  # the decoder boundary, as in smartcrop_core.loading
        raise ImageError(f"cannot decode the image: {one_line(error)}") from error
    clean.info = {}
    return clean


def same_pixels(image: Image.Image) -> Image.Image:
    """A new Image object over the same decoded pixels (no copy), so that ``info`` can be emptied
    without touching the engine's image.

    Why not ``image.copy()``: copying a decoded 3 MP image cost 3 ms per first ``/smart/`` request,
    and 17 ms (5,800 page faults) once glibc had handed that memory back to the kernel between
    requests, which made the first request cost 2.2x ``analyze()``. Nothing downstream writes
    to these pixels: the core and ``overlay`` only read them and make their own images.
    """
    image.load()
    return image._new(image.im)  # Image.copy() without the pixel copy; stable since Pillow 2


def reduce_in_strips(image: Image.Image, factor: int, strip_bytes: int = STRIP_BYTES) -> Image.Image:
    """``image.reduce(factor)`` for any mode with no full-size temporary: the modes that would make one
    are reduced strip by strip (``smartcrop_core.reduce_in_bands``, equal to reducing the whole image);
    the others, whose reduce reads the source as it is, at once."""
    working, back = _WORKING_MODES.get(image.mode, (None, None))
    if image.mode == "P":
        working = "RGBA" if "transparency" in image.info else "RGB"
    if working is None and image.mode not in _PREMULTIPLIED:
        return image.reduce(factor)
    return reduce_in_bands(image, factor, working, back, band_pixels=strip_bytes // 4)
