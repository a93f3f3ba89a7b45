"""The debug overlay of a photo (heat map, top point, the crop box each ratio really uses), made once.

Like a crop, the overlay is a file in the media storage with a name that changes whenever what it shows
changes (the file, the analysis, the manual boxes), and the name is remembered in the cache: a page
view links the file directly and no request decodes the photo again. Manual boxes win, as on the page.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps
from smartcrop_core import overlay as draw_overlay

from django_smartcrop.state import CropState

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

#: Long side of the overlay picture, in pixels.
OVERLAY_LONG_SIDE = 480
FOLDER = "overlays"


def overlay_name(pk: int, state: CropState, ratios: tuple[str, ...]) -> str:
    """Deterministic file name: a new analysis, file or manual box gives a new name."""
    payload = json.dumps([state.source or state.name, state.analysis, state.overrides, list(ratios),
                          OVERLAY_LONG_SIDE], sort_keys=True)
    return f"{FOLDER}/{pk}-{hashlib.sha256(payload.encode()).hexdigest()[:16]}.jpg"


def known_url(name: str) -> str | None:
    """The overlay's URL when it was made before (a cache lookup, no storage call), else None."""
    return default_storage.url(name) if cache.get(_key(name)) else None


def ensure(field_file: "FieldFile", state: CropState, name: str, ratios: tuple[str, ...]) -> str:
    """Make the overlay file if needed; return its URL. Raises OSError for an unreadable source."""
    if not cache.get(_key(name)):
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(render(field_file, state, ratios)))
        cache.set(_key(name), True, None)
    return default_storage.url(name)


def render(field_file: "FieldFile", state: CropState, ratios: tuple[str, ...]) -> bytes:
    """The overlay as JPEG bytes, with each ratio's winning box (manual, else automatic)."""
    analysis = state.core_analysis()
    if analysis is None:
        raise OSError("no analysis for this image")
    boxes = {label: resolved[0] for label in ratios if (resolved := state.box(label)) is not None}
    analysis = dataclasses.replace(analysis, boxes={**analysis.boxes, **boxes})
    with field_file.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.draft("RGB", (OVERLAY_LONG_SIDE, OVERLAY_LONG_SIDE))  # fast reduced JPEG decode
        image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((OVERLAY_LONG_SIDE, OVERLAY_LONG_SIDE))
    buffer = io.BytesIO()
    draw_overlay(image, analysis, list(ratios)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _key(name: str) -> str:
    return f"example-overlay:{name}"
