"""Making a crop: render the spec's box from the source, encode it, write it atomically, register it.

The registry (which crops exist or cannot be made) is in ``registry``, atomic writing in ``writing``;
their public names are re-exported here, so callers need only this module.
"""

from __future__ import annotations

import io
import logging

from django.core.files.storage import Storage
from PIL import Image

from smartcrop_core import ImageError, SmartCropError, crop_box, flatten_alpha

from . import conf
from .processing import describe_error
from .registry import count_for, delete_crop, delete_crops, known, remember, remember_failure, remembered_failure
from .specs import CropSpec, quality
from .writing import ORPHAN_AGE, TEMPORARY_PREFIX, TEMPORARY_SUFFIX, stored_size, sweep_orphans, write_atomic

__all__ = ["ORPHAN_AGE", "TEMPORARY_PREFIX", "TEMPORARY_SUFFIX", "RememberedFailure", "count_for", "delete_crop",
           "delete_crops", "encode", "ensure", "known", "remember", "render", "sweep_orphans", "write_atomic"]

logger = logging.getLogger(__name__)


class RememberedFailure(ImageError):
    """This crop failed before for the same file and model: not tried again (no decode)."""


def ensure(spec: CropSpec, source_storage: Storage, storage: Storage | None = None) -> str:
    """Make sure the crop file exists, complete, and is registered; returns its name.

    Raises SmartCropError (or OSError) when the source cannot be read or decoded, and whatever the
    storage raises when the crop cannot be written; in that case nothing is registered and no partial
    file is left under the crop's name, so the next request makes the crop again. A source that cannot
    be decoded is remembered: until the file or the model changes, RememberedFailure is raised at once.
    Storage errors are not remembered (they are usually passing).
    """
    storage = storage or conf.crop_storage()
    name = spec.name
    if name in known([name]):
        return name
    reason = remembered_failure(name)
    if reason is not None:
        raise RememberedFailure(f"{reason} (remembered: retried when the file or the model changes)")
    try:
        image = render(spec, source_storage)
    except SmartCropError as error:
        remember_failure(name, describe_error(error))
        raise
    data = encode(image, spec.format)
    # A file under this name that the registry does not know may be complete (the registry was lost, or
    # another worker has not registered it yet) or a leftover of a crash in a non-atomic storage: crop
    # names are deterministic and encoding is too, so the complete file has exactly these many bytes.
    if stored_size(storage, name) != len(data):
        if storage.exists(name):
            logger.warning("smartcrop: replacing the incomplete crop file %s", name)
            storage.delete(name)
        saved = write_atomic(storage, name, data)
        if saved != name:  # another worker wrote the same crop meanwhile: keep one copy
            storage.delete(saved)
    remember(name, spec.source_name)
    return name


def render(spec: CropSpec, source_storage: Storage) -> Image.Image:
    """The crop's pixels: the spec's box cut from the source at the spec's output size."""
    with source_storage.open(spec.source_name, "rb") as handle:
        data = handle.read()
    return crop_box(data, spec.box, (spec.width, spec.height), max_pixels=conf.setting("MAX_PIXELS"))


def encode(image: Image.Image, image_format: str) -> bytes:
    """Encoded bytes; JPEG drops transparency onto white (saliency and crops are of the visible image)."""
    if image_format == "JPEG" and image.mode != "RGB":
        image = flatten_alpha(image) if image.mode == "RGBA" else image.convert("RGB")
    options: dict[str, object] = {}
    if image_format == "JPEG":
        options = {"quality": quality("JPEG"), "optimize": True, "progressive": True}
    elif image_format in ("WEBP", "AVIF"):
        options = {"quality": quality(image_format)}
    elif image_format == "PNG":
        options = {"optimize": True}
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    data = buffer.getvalue()
    if not data:
        raise OSError(f"encoding the crop as {image_format} produced no data")
    return data
