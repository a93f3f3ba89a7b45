"""The exceptions smartcrop raises: one small hierarchy, so callers catch one type.

Every message is a single line a user can act on. Lower-level errors (Pillow, onnxruntime, the OS)
are chained with ``raise ... from``, so the original traceback is still there for debugging.
"""

from __future__ import annotations


class SmartCropError(Exception):
    """Base class of every error smartcrop raises on purpose."""


class ImageError(SmartCropError):
    """The input cannot be used as an image: empty, not an image, truncated, corrupt or unsupported."""


class ImageTooLargeError(ImageError):
    """The image declares more pixels than the configured limit (a decompression-bomb guard)."""


class DecodeBudgetError(ImageError):
    """The header promises a decode larger than the decode budget allows (scans, sides, bytes)."""


class FormatNotAllowedError(ImageError):
    """The file is in an image format outside the decode budget's allowed formats."""


class ModelError(SmartCropError):
    """The saliency model file is missing, corrupt or does not follow the model contract."""


class RatioError(SmartCropError, ValueError):
    """An aspect ratio or output size that cannot be understood or is out of bounds."""
