"""Decoded pixels of any Pillow mode to 8-bit RGB(A), reduced first when only a small copy is needed.

Why the care: a 16-bit or float image at the pixel limit is 179-358 MB decoded; converting it through
full-size float64 arrays (8 bytes a pixel, several temporaries) cost 2.7-2.9 GB and ten seconds. Here
the image is box-reduced before any conversion when the caller needs only a small copy, and
high-bit-depth pixels are scaled to 8 bits one band of rows at a time in float32.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

#: Modes ``Image.reduce`` accepts; others are converted first.
_REDUCIBLE = {"L", "LA", "La", "I", "F", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr"}
HIGH_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N", "I", "F"})
#: Rows converted per band: ~4 MB of float32 for a 1000-px wide image.
_BAND_PIXELS = 1 << 20
#: Keep at least this many times the wanted size, so that the caller's final resize (Pillow's
#: ``reducing_gap=3.0``) gives the same picture it would have given from the full image.
REDUCING_GAP = 3


def reduction(size: tuple[int, int], wanted: tuple[int, int] | None) -> int:
    """The largest integer box-reduce factor that keeps REDUCING_GAP x ``wanted`` (1: none)."""
    if wanted is None:
        return 1
    return max(1, min(size[0] // (REDUCING_GAP * max(1, wanted[0])), size[1] // (REDUCING_GAP * max(1, wanted[1]))))


def reduce_to(image: Image.Image, wanted: tuple[int, int] | None) -> Image.Image:
    """Box-reduce by ``reduction`` (no-op for modes Image.reduce cannot take, or when no factor fits)."""
    factor = reduction(image.size, wanted)
    return image.reduce(factor) if factor >= 2 and image.mode in _REDUCIBLE else image


def reduce_in_bands(image: Image.Image, factor: int, mode: str | None = None, back: str | None = None,
                    band_pixels: int = _BAND_PIXELS) -> Image.Image:
    """``image.convert(mode).reduce(factor)`` (then ``.convert(back)``) one band of rows at a time.

    Why: a palette image at the pixel limit is 89 MB, its full-size RGB copy would be 358 MB, and
    ``Image.reduce`` premultiplies RGBA and LA into a full-size temporary (``mode=None``: no conversion,
    bands only). Bands are whole multiples of ``factor`` rows, so every reduced pixel comes from one
    band: the result is the same as the whole-image one.
    """
    width, height = image.size
    rows = factor * max(1, band_pixels // max(1, width * factor))
    out: Image.Image | None = None
    for top in range(0, height, rows):
        band = image.crop((0, top, width, min(height, top + rows)))
        band = (band.convert(mode) if mode else band).reduce(factor)
        if back:
            band = band.convert(back)
        if out is None:
            out = Image.new(band.mode, (-(-width // factor), -(-height // factor)))
        out.paste(band, (0, top // factor))
    assert out is not None  # an image has at least one row
    return out


def to_rgb(image: Image.Image, wanted: tuple[int, int] | None = None) -> Image.Image:
    """RGB, or RGBA when the image has transparency, of an image of 8 bits or fewer per sample (loading
    scales 16-bit and float images first with ``to_8bit``, so it can free the full-size decode early).

    With ``wanted`` (width, height in the image's own orientation) the result may be reduced, never
    below REDUCING_GAP x wanted. The result never shares memory with ``image``.
    """
    has_alpha = image.mode in ("LA", "PA", "La", "RGBa", "RGBA") or "transparency" in image.info
    if image.mode in ("1", "P", "PA"):
        mode, factor = "RGBA" if has_alpha else "L" if image.mode == "1" else "RGB", reduction(image.size, wanted)
        image = reduce_in_bands(image, factor, mode) if factor >= 2 else image.convert(mode)
    reduced = reduce_to(image, wanted)
    target = "RGBA" if has_alpha else "RGB"
    if reduced.mode == target:
        return reduced.copy() if reduced is image else reduced
    return reduced.convert(target)


def to_8bit(image: Image.Image) -> Image.Image:
    """A 16-bit, 32-bit integer or float grey image as 8-bit L, scaled to its range (16-bit: 0..65535).

    NaN and infinities count as the low end. Works one band of rows at a time: never a full-size
    float copy.
    """
    width, height = image.size
    rows = max(1, _BAND_PIXELS // max(1, width))
    bands = [(top, min(height, top + rows)) for top in range(0, height, rows)]
    out = np.empty((height, width), dtype=np.uint8)
    if image.mode.startswith("I;16"):
        table = (np.arange(65536, dtype=np.uint32) * 255 // 65535).astype(np.uint8)
        for top, bottom in bands:
            out[top:bottom] = table[np.asarray(image.crop((0, top, width, bottom)))]
        return Image.fromarray(out)
    low, high = _finite_range(image, bands)
    scale = np.float32(255.0 / max(high - low, 1e-12))
    for top, bottom in bands:
        band = np.array(image.crop((0, top, width, bottom)), dtype=np.float32)
        band[~np.isfinite(band)] = low
        band -= np.float32(low)
        band *= scale
        band += np.float32(0.5)  # round: float32 puts the maximum at 254.99...
        out[top:bottom] = np.clip(band, 0, 255, out=band)
    return Image.fromarray(out)


def _finite_range(image: Image.Image, bands: list[tuple[int, int]]) -> tuple[float, float]:
    """(min, max) of the finite pixels: Pillow's extrema when finite, else a pass over the bands."""
    low, high = image.getextrema()
    if np.isfinite(low) and np.isfinite(high):
        return float(low), float(high)
    low, high = np.inf, -np.inf
    for top, bottom in bands:
        band = np.asarray(image.crop((0, top, image.width, bottom)))
        finite = band[np.isfinite(band)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    return (0.0, 0.0) if low > high else (low, high)


def flatten_alpha(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Composite an RGBA image on a plain background (saliency of invisible pixels is meaningless)."""
    if image.mode != "RGBA":
        return image.convert("RGB") if image.mode != "RGB" else image
    canvas = Image.new("RGB", image.size, background)
    canvas.paste(image, mask=image.getchannel("A"))
    return canvas
