"""Turn whatever a user hands us into an upright RGB Pillow image, or raise ImageError.

Three rules, because real uploads are hostile:
- the declared size is checked against a pixel limit *before* any pixel is decoded (decompression bombs);
- JPEGs are decoded at reduced size (``Image.draft``) when only a small copy is needed, so a 12 MP
  photo costs a few milliseconds, not a full decode;
- every decoder failure, whatever Pillow raised, becomes one ImageError with a one-line message.
"""

from __future__ import annotations

import io
import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Union

import numpy as np
from PIL import Image

from .errors import ImageError, ImageTooLargeError

ImageSource = Union[str, "os.PathLike[str]", bytes, bytearray, BinaryIO, Image.Image]

#: Same default as Pillow's own bomb guard; override per call or with SMARTCROP_MAX_PIXELS.
DEFAULT_MAX_PIXELS = 89_478_485

_ORIENTATION_TAG = 0x0112
_TRANSPOSE_FOR_ORIENTATION = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}


@dataclass(frozen=True)
class SourceInfo:
    """What is known about a source after reading only its header."""

    width: int  # after EXIF orientation
    height: int
    orientation: int  # EXIF orientation 1..8 (1 when absent or unreadable)
    format: str | None


def max_pixels_setting(max_pixels: int | None = None) -> int:
    """The pixel limit in force: the argument, else SMARTCROP_MAX_PIXELS, else Pillow's default."""
    if max_pixels is not None:
        return int(max_pixels)
    env = os.environ.get("SMARTCROP_MAX_PIXELS")
    return int(env) if env else DEFAULT_MAX_PIXELS


def source_name(source: ImageSource) -> str:
    """A short name for messages: the file name, or what kind of object it was."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    if isinstance(source, (bytes, bytearray)):
        return "<bytes>"
    if isinstance(source, Image.Image):
        return "<PIL image>"
    return str(getattr(source, "name", "<file>"))


class Source:
    """A source that can be opened more than once (analysis and crop each decode at their own size)."""

    def __init__(self, source: ImageSource, max_pixels: int | None = None) -> None:
        self.name = source_name(source)
        self.max_pixels = max_pixels_setting(max_pixels)
        self._image: Image.Image | None = None
        self._path: str | None = None
        self._data: bytes | None = None
        if isinstance(source, Image.Image):
            self._image = source
        elif isinstance(source, (str, os.PathLike)):
            self._path = os.fspath(source)
        elif isinstance(source, (bytes, bytearray)):
            self._data = bytes(source)
        elif hasattr(source, "read"):
            self._data = _read_all(source)
        else:
            raise ImageError(f"cannot read image from a {type(source).__name__}: pass a path, bytes, a file or a PIL image")

    def info(self) -> SourceInfo:
        """Read the header only: size, orientation, format. Raises ImageError / ImageTooLargeError."""
        with self._opened() as image:
            orientation = _orientation(image)
            width, height = image.size
            if orientation in (5, 6, 7, 8):
                width, height = height, width
            return SourceInfo(width, height, orientation, image.format)

    def load(self, min_size: tuple[int, int] | None = None) -> Image.Image:
        """Decode the first frame, upright, as RGB (or RGBA when it has transparency).

        ``min_size`` (upright width, height) allows reduced-size JPEG decoding: the result is at least
        that large (or the full image), never smaller.
        """
        with self._opened() as image, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about every oddity of a broken file; we raise or go on
            orientation = _orientation(image)
            try:
                if min_size is not None and image.format == "JPEG":
                    wanted = min_size[::-1] if orientation in (5, 6, 7, 8) else min_size
                    image.draft("RGB", (max(1, int(wanted[0])), max(1, int(wanted[1]))))
                image.load()
                upright = _to_rgb(image)
                for method in _TRANSPOSE_FOR_ORIENTATION.get(orientation, ()):
                    upright = upright.transpose(method)
            except ImageError:
                raise
            except Exception as error:  # the decoder boundary: any failure is a bad image
                raise ImageError(f"cannot decode {self.name}: {_one_line(error)}") from error
            return upright

    @contextmanager
    def _opened(self) -> Iterator[Image.Image]:
        """Image.open (header only) with the pixel limit checked; closes what it opened."""
        image = self._image if self._image is not None else self._open()
        try:
            width, height = image.size
            if width < 1 or height < 1:
                raise ImageError(f"cannot read {self.name}: it declares an empty size {width}x{height}")
            if width * height > self.max_pixels:
                raise ImageTooLargeError(
                    f"{self.name} is {width}x{height} ({width * height / 1e6:.0f} MP), over the limit of "
                    f"{self.max_pixels / 1e6:.0f} MP (raise max_pixels or SMARTCROP_MAX_PIXELS)"
                )
            yield image
        finally:
            if image is not self._image:
                image.close()

    def _open(self) -> Image.Image:
        """Image.open on the path or bytes, every failure translated to one ImageError."""
        if self._data is not None and not self._data.strip():
            raise ImageError(f"cannot read {self.name}: the file is empty")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # our own pixel limit is checked by _opened
                return Image.open(self._path if self._path is not None else io.BytesIO(self._data or b""))
        except Image.DecompressionBombError as error:  # Pillow's own guard fired first
            raise ImageTooLargeError(
                f"{self.name} declares too many pixels, over the limit of {self.max_pixels / 1e6:.0f} MP"
                " (raise max_pixels or SMARTCROP_MAX_PIXELS)"
            ) from error
        except FileNotFoundError as error:
            raise ImageError(f"cannot read {self.name}: no such file") from error
        except IsADirectoryError as error:
            raise ImageError(f"cannot read {self.name}: it is a folder, not an image") from error
        except Image.UnidentifiedImageError as error:
            raise ImageError(f"cannot read {self.name}: not an image in a format Pillow can read") from error
        except Exception as error:
            raise ImageError(f"cannot read {self.name}: {_one_line(error)}") from error


def _read_all(fileobj: BinaryIO) -> bytes:
    """Read a file object whole without moving the caller's position (Django files are reused)."""
    try:
        position = fileobj.tell() if fileobj.seekable() else None
        if position is not None:
            fileobj.seek(0)
        data = fileobj.read()
        if position is not None:
            fileobj.seek(position)
    except Exception as error:
        raise ImageError(f"cannot read {source_name(fileobj)}: {_one_line(error)}") from error
    if not isinstance(data, (bytes, bytearray)):
        raise ImageError(f"cannot read {source_name(fileobj)}: the file is not opened in binary mode")
    return bytes(data)


def _orientation(image: Image.Image) -> int:
    """EXIF orientation, 1 when absent or broken: a broken EXIF block must not reject a good image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = int(image.getexif().get(_ORIENTATION_TAG, 1))
    except Exception:
        return 1
    return value if 1 <= value <= 8 else 1


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has transparency; high-bit-depth modes are scaled, not clipped."""
    mode = image.mode
    if mode in ("RGB", "RGBA"):
        return image.copy()  # detached from the file, which is closed after decoding
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        pixels = np.asarray(image, dtype=np.float64)
        low, high = float(np.nanmin(pixels)), float(np.nanmax(pixels))
        if mode.startswith("I;16"):
            low, high = 0.0, 65535.0
        scaled = np.clip((pixels - low) / max(high - low, 1e-12) * 255.0, 0, 255)
        return Image.fromarray(np.nan_to_num(scaled).astype(np.uint8)).convert("RGB")
    has_alpha = mode in ("LA", "PA", "La", "RGBa") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def flatten_alpha(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Composite an RGBA image on a plain background (saliency of invisible pixels is meaningless)."""
    if image.mode != "RGBA":
        return image.convert("RGB") if image.mode != "RGB" else image
    canvas = Image.new("RGB", image.size, background)
    canvas.paste(image, mask=image.getchannel("A"))
    return canvas


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text and text[0] else type(error).__name__
