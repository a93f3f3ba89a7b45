"""A crop request resolved to everything that defines its pixels, and the deterministic file name for it.

The name carries a hash of the source bytes, the ratio, the output size, the box actually used, the model
that placed it and the encoding, so a moved box (manual or automatic), a new model or a new file never
serves a stale crop, and two requests for the same crop always agree on one name without asking storage.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smartcrop_core import MAX_OUTPUT_SIDE, Box, RatioError, exact_size, parse_ratio, ratio_label

from . import conf
from .boxes import NO_MODEL, BoxSource
from .state import CropState

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

#: Bump when the rendering pipeline changes in a way that changes pixels.
RENDER_VERSION = 1

_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}  # AVIF/WebP: <picture> sources
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class CropSpec:
    """One crop of one source file: what to cut, how large to make it, and where it lives."""

    source_name: str  # the source file's name in its storage
    source_hash: str  # content hash, or the file name when the content was never read
    ratio: str  # ratio label, e.g. "16:9"
    box: Box  # in upright pixels of the source
    box_source: BoxSource
    width: int  # output size
    height: int
    image_width: int  # upright source size (the box's frame)
    image_height: int
    model: str
    format: str  # "JPEG", "PNG" or "WEBP"

    @property
    def digest(self) -> str:
        payload = json.dumps(
            [RENDER_VERSION, self.source_hash, self.ratio, self.width, self.height, self.box.as_list(),
             self.model, self.format, quality(self.format)],
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:20]

    @property
    def name(self) -> str:
        """``<prefix>/<d2>/<stem>-<ratio>-<w>x<h>-<digest>.<ext>``: readable, deterministic, spread over folders."""
        digest = self.digest
        stem = _UNSAFE.sub("-", os.path.splitext(os.path.basename(self.source_name))[0]).strip("-")[:40] or "image"
        ratio = self.ratio.replace(":", "x").replace(".", "_")
        prefix = str(conf.setting("PREFIX")).strip("/")
        return f"{prefix}/{digest[:2]}/{stem}-{ratio}-{self.width}x{self.height}-{digest}.{_EXTENSIONS[self.format]}"


def quality(image_format: str) -> int | None:
    if image_format == "JPEG":
        return int(conf.setting("JPEG_QUALITY"))
    if image_format == "WEBP":
        return int(conf.setting("WEBP_QUALITY"))
    if image_format == "AVIF":
        return int(conf.setting("AVIF_QUALITY"))
    return None


def output_format(source_name: str) -> str:
    """Keep transparency-capable formats for sources that are PNG, GIF or WebP; JPEG otherwise."""
    extension = os.path.splitext(source_name)[1].lower()
    if extension in (".png", ".gif"):
        return "PNG"
    if extension == ".webp":
        return "WEBP"
    return "JPEG"


def max_size() -> int:
    return max(1, min(int(conf.setting("MAX_SIZE")), MAX_OUTPUT_SIDE))


def fit_output(ratio: str, box: Box, width: int | None, height: int | None) -> tuple[int, int]:
    """Output size for a requested width or height: exact ratio, bounded by MAX_SIZE, no upscaling by default.

    With neither given, the box's own size (bounded). Raises RatioError for a size below 1.
    """
    value = parse_ratio(ratio)
    for name, requested in (("width", width), ("height", height)):
        if requested is not None and int(requested) < 1:
            raise RatioError(f"{name} must be at least 1, got {requested}")
    upscale = bool(conf.setting("UPSCALE"))
    bound = max_size()
    limit_width = min(bound, MAX_OUTPUT_SIDE if upscale else box.width)
    limit_height = min(bound, MAX_OUTPUT_SIDE if upscale else box.height)
    if width is None and height is None:
        width = box.width
    allowed = allowed_widths()
    if allowed and width is not None:
        width = _round_up(int(width), allowed)
    elif allowed:  # a height: the narrowest allowed width at least that tall (the same crop either way)
        width = next((w for w in allowed if max(1, round(w / value)) >= int(height)), allowed[-1])  # type: ignore[arg-type]
    # exact_size: the other side may exceed the limits here, it is clamped just below.
    if width is not None:
        size = exact_size(value, min(int(width), limit_width), None)
    else:
        size = exact_size(value, None, min(int(height), limit_height))  # type: ignore[arg-type]
    assert size is not None
    if size[1] > limit_height:
        size = exact_size(value, None, limit_height)
    if size is not None and size[0] > limit_width:
        size = exact_size(value, limit_width, None)
    assert size is not None
    return size


def allowed_widths() -> tuple[int, ...]:
    """SMARTCROP_ALLOWED_WIDTHS sorted, () when any width may be asked for."""
    value = conf.setting("ALLOWED_WIDTHS")
    return tuple(sorted({int(w) for w in value})) if value else ()


def _round_up(width: int, allowed: tuple[int, ...]) -> int:
    return next((w for w in allowed if w >= width), allowed[-1])


def check_ratio_allowed(label: str, field_ratios: "tuple[str, ...]") -> None:
    """RatioError unless SMARTCROP_ALLOWED_RATIOS is unset or lists the label (field ratios always pass)."""
    value = conf.setting("ALLOWED_RATIOS")
    if value is None or label in field_ratios or label in {ratio_label(r) for r in value}:
        return
    raise RatioError(f"ratio {label} is not in SMARTCROP_ALLOWED_RATIOS")


def spec_for(field_file: "FieldFile", ratio: str | float, width: int | None = None,
             height: int | None = None) -> CropSpec | None:
    """Resolve a crop of a SmartCropImageField file; None when there is no file or its size is unknown.

    Pure: reads only the model instance's JSON (no storage, no database).
    """
    if not field_file:
        return None
    state = state_of(field_file)
    if state is None or state.name != field_file.name:
        return None
    label = ratio_label(ratio)
    check_ratio_allowed(label, tuple(getattr(field_file.field, "ratios", ())))
    resolved = state.box(label)
    if resolved is None:
        return None
    box, box_source = resolved
    out_width, out_height = fit_output(label, box, width, height)
    return CropSpec(
        source_name=field_file.name,
        source_hash=state.source or field_file.name,
        ratio=label,
        box=box,
        box_source=box_source,
        width=out_width,
        height=out_height,
        image_width=state.width,  # type: ignore[arg-type]
        image_height=state.height,  # type: ignore[arg-type]
        model=(state.model or NO_MODEL) if box_source == "auto" else (NO_MODEL if box_source == "centre" else "manual"),
        format=output_format(field_file.name),
    )


def state_of(field_file: "FieldFile") -> CropState | None:
    """The CropState of a field file, read from its instance's companion JSONField."""
    field = field_file.field
    json_name = getattr(field, "saliency_field", None)
    if not json_name or field_file.instance is None:
        return None
    return CropState.from_value(getattr(field_file.instance, json_name, None))
