"""The exceptions smartcrop raises: one small hierarchy, so callers catch one type.

Every message is a single line a user can act on. Lower-level errors (Pillow, onnxruntime, the OS)
are chained with ``raise ... from``, so the original traceback is still there for debugging.
"""

from __future__ import annotations

import os


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
    """The saliency model file is missing, corrupt or does not follow the model contract.

    ``path`` is the model file, ``reason`` what is wrong (a line naming the path), ``hint`` what a library
    user changes to fix it ("" when there is nothing to change). The message is ``reason (hint)``; an
    adapter with its own fix for operators shows ``reason`` and its own hint, without parsing the message.
    """

    def __init__(self, reason: str, *, path: "str | os.PathLike[str] | None" = None, hint: str = "") -> None:
        super().__init__(f"{reason} ({hint})" if hint else reason)
        self.reason = reason
        self.path = os.fspath(path) if path is not None else None
        self.hint = hint

    def __reduce__(self):  # type: ignore[no-untyped-def]  # keep the fields across processes (--jobs)
        return _model_error, (self.reason, self.path, self.hint)


class RatioError(SmartCropError, ValueError):
    """An aspect ratio or output size that cannot be understood or is out of bounds."""


def _model_error(reason: str, path: str | None, hint: str) -> ModelError:
    return ModelError(reason, path=path, hint=hint)


def one_line(error: BaseException) -> str:
    """The first non-empty line of an error's message, or its type name: for logs and messages of one line."""
    for line in str(error).strip().splitlines():
        if line.strip():
            return line.strip()
    return type(error).__name__
