"""File-system helpers for the CLI: finding images in folders and writing outputs atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterator

from PIL import Image

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".avif", ".heic", ".heif"}
)
SAVE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


def find_images(inputs: list[str]) -> Iterator[tuple[Path, Path]]:
    """(file, path relative to its input) for each file given and each image file under each folder.

    Files named explicitly are always yielded (the loader decides whether they are images); in
    folders only files with an image suffix are, sorted, so runs are repeatable.
    """
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES):
                yield file, file.relative_to(path)
        else:
            yield path, Path(path.name)


def save_atomically(image: Image.Image, target: Path, image_format: str, quality: int = 88) -> None:
    """Write to a temporary file beside the target, then rename: a failure never leaves a partial file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    handle, temporary = tempfile.mkstemp(prefix=".smartcrop-", suffix=target.suffix, dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            options = {"quality": quality} if image_format in ("JPEG", "WEBP") else {}
            image.save(stream, image_format, **options)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
