"""Turn whatever a user hands us into an upright RGB Pillow image, or raise ImageError.

Three rules, because real uploads are hostile:
- a decode budget (``budget.DecodeBudget``: allowed formats, pixels, sides, raw bytes, progressive
  scans) is checked on the header *before* any pixel is decoded (decompression bombs, and small files
  that are slow to decode);
- only as much is decoded as the caller needs: JPEGs (and MPOs) at reduced size with ``Image.draft``,
  JPEG 2000 at a reduced resolution level, other formats box-reduced before any mode conversion;
- every decoder failure, whatever Pillow raised, becomes one ImageError with a one-line message.
"""

from __future__ import annotations

import io
import math
import mmap
import os
import stat
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Union

from PIL import Image, Jpeg2KImagePlugin, JpegImagePlugin

from .budget import DEFAULT_MAX_PIXELS, DecodeBudget, DecodeBudgetError, budget_for
from .errors import ImageError, ImageTooLargeError, one_line
from .formats import check_jpeg_scans, check_raw_bytes, check_size, jpeg2000_levels, open_allowed
from .modes import HIGH_BIT_MODES, flatten_alpha, reduce_to, to_8bit, to_rgb

__all__ = ["DEFAULT_MAX_PIXELS", "ImageSource", "Source", "SourceInfo", "flatten_alpha", "max_pixels_setting",
           "source_name"]

ImageSource = Union[str, "os.PathLike[str]", bytes, bytearray, BinaryIO, Image.Image]
Bytes = Union[bytes, mmap.mmap]

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


def max_pixels_setting(max_pixels: "int | DecodeBudget | None" = None) -> int:
    """The pixel limit in force: the argument, else SMARTCROP_MAX_PIXELS, else Pillow's default."""
    return budget_for(max_pixels).max_pixels


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
    """A source that can be opened more than once (analysis and crop each decode at their own size).

    ``max_pixels`` is the pixel limit, or a whole DecodeBudget; None means the environment's budget.
    """

    def __init__(self, source: ImageSource, max_pixels: "int | DecodeBudget | None" = None) -> None:
        self.name = source_name(source)
        self.budget = budget_for(max_pixels)
        self._image: Image.Image | None = None
        self._path: str | None = None
        self._data: bytes | None = None
        self._scans_passed: object = None  # the file version whose JPEG scans were counted and passed
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
        """Read the header only: size, orientation, format. Raises ImageError and its subclasses."""
        with self._opened() as (image, _):
            orientation = _orientation(image)
            width, height = image.size
            if orientation in (5, 6, 7, 8):
                width, height = height, width
            return SourceInfo(width, height, orientation, image.format)

    def load(self, min_size: tuple[int, int] | None = None) -> Image.Image:
        """Decode the first frame, upright, as RGB (or RGBA when it has transparency).

        ``min_size`` (upright width, height) allows reduced-size decoding: the result is at least
        that large (or the full image), never smaller.
        """
        with self._opened() as (image, data), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about every oddity of a broken file; we raise or go on
            orientation = _orientation(image)
            wanted = None
            if min_size is not None:
                wanted = (max(1, int(min_size[0])), max(1, int(min_size[1])))
                wanted = wanted[::-1] if orientation in (5, 6, 7, 8) else wanted
            try:
                self._plan_decode(image, data, wanted)
                image.load()
                pixels = image
                if image.mode in HIGH_BIT_MODES:
                    pixels = to_8bit(reduce_to(image, wanted))
                    if image is not self._image:
                        image.close()  # frees the full-size 16/32-bit decode before the RGB copy is made
                upright = to_rgb(pixels, wanted)
                for method in _TRANSPOSE_FOR_ORIENTATION.get(orientation, ()):
                    upright = upright.transpose(method)
            except ImageError:
                raise
            except Image.DecompressionBombError as error:
                raise _pillow_guard(self.name) from error
            except Exception as error:  # the decoder boundary: any failure is a bad image
                raise ImageError(f"cannot decode {self.name}: {one_line(error)}") from error
            return upright

    def _plan_decode(self, image: Image.Image, data: Bytes | None, wanted: tuple[int, int] | None) -> None:
        """Ask the decoder for the smallest picture that still gives ``wanted``; check the JPEG 2000 cost."""
        if isinstance(image, JpegImagePlugin.JpegImageFile) and wanted is not None:  # MPO is one too
            image.draft("RGB", wanted)
        elif isinstance(image, Jpeg2KImagePlugin.Jpeg2KImageFile):
            ratio = min(image.width / wanted[0], image.height / wanted[1]) if wanted else 1.0
            levels = min(int(math.log2(ratio)) if ratio >= 2 else 0, jpeg2000_levels(data or b""))
            width, height = -(-image.width >> levels), -(-image.height >> levels)
            working = width * height * len(image.getbands()) * 4  # OpenJPEG decodes into 32-bit samples
            if working > self.budget.byte_limit:
                raise DecodeBudgetError(
                    f"{self.name} is a JPEG 2000 of {image.width}x{image.height} that cannot be decoded smaller than "
                    f"{width}x{height}, {working / 1e6:.0f} MB, over the limit of {self.budget.byte_limit / 1e6:.0f} MB"
                    " (raise SMARTCROP_MAX_BYTES)"
                )
            image.reduce = levels  # type: ignore[assignment]  # Pillow's JPEG 2000 resolution-level setting

    @contextmanager
    def _opened(self) -> Iterator[tuple[Image.Image, Bytes | None]]:
        """The image opened (header only) with every budget check passed, and the file's bytes."""
        if self._image is not None:
            self._check(self._image, None, None)
            yield self._image, None
            return
        with self._bytes() as (fp, data, version):
            image = self._open(fp)
            try:
                self._check(image, data, version)
                yield image, data
            finally:
                image.close()

    def _check(self, image: Image.Image, data: Bytes | None, version: object) -> None:
        """Every budget check on the opened header. Counting scans reads the whole file (2-5 ms for a
        12 MP JPEG), so it is done once per file version, not on each of analyze's two opens."""
        width, height = image.size
        if width < 1 or height < 1:
            raise ImageError(f"cannot read {self.name}: it declares an empty size {width}x{height}")
        check_size(width, height, self.name, self.budget)
        if data is not None:
            check_raw_bytes(image, self.name, self.budget)
            if isinstance(image, JpegImagePlugin.JpegImageFile) and version != self._scans_passed:
                check_jpeg_scans(data, self.name, self.budget)
                self._scans_passed = version

    @contextmanager
    def _bytes(self) -> Iterator[tuple[BinaryIO, Bytes, object]]:
        """A file object for Pillow, the whole file for the header checks (a path is memory-mapped), and
        the file's version (a replaced or rewritten file is a new one)."""
        if self._data is not None:
            if not self._data.strip():
                raise ImageError(f"cannot read {self.name}: the file is empty")
            yield io.BytesIO(self._data), self._data, "bytes"
            return
        assert self._path is not None
        try:
            mode = os.stat(self._path).st_mode
            if stat.S_ISDIR(mode):
                raise ImageError(f"cannot read {self.name}: it is a folder, not an image")
            if not stat.S_ISREG(mode):  # a FIFO or device would block or never end
                raise ImageError(f"cannot read {self.name}: not a regular file")
            with open(self._path, "rb") as file:
                found = os.fstat(file.fileno())
                if found.st_size == 0:
                    raise ImageError(f"cannot read {self.name}: the file is empty")
                with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                    yield file, mapped, (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)
        except FileNotFoundError as error:
            raise ImageError(f"cannot read {self.name}: no such file") from error
        except OSError as error:
            raise ImageError(f"cannot read {self.name}: {one_line(error)}") from error

    def _open(self, fp: BinaryIO) -> Image.Image:
        """Open the allowed formats' headers, every failure translated to one ImageError."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return open_allowed(fp, self.name, self.budget)
        except ImageError:
            raise
        except Image.DecompressionBombError as error:  # a GIF frame larger than its screen, say
            raise _pillow_guard(self.name) from error
        except Image.UnidentifiedImageError as error:
            raise ImageError(f"cannot read {self.name}: not an image in a format Pillow can read") from error
        except Exception as error:
            raise ImageError(f"cannot read {self.name}: {one_line(error)}") from error


def _pillow_guard(name: str) -> ImageTooLargeError:
    limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    return ImageTooLargeError(f"{name} declares a frame over Pillow's own limit of {limit / 1e6:.0f} MP"
                              " (PIL.Image.MAX_IMAGE_PIXELS)")


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
        raise ImageError(f"cannot read {source_name(fileobj)}: {one_line(error)}") from error
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

