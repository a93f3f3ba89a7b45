"""From a field file and a ratio to URLs a page can use, without touching storage.

A crop already generated is served straight from the crop storage's URL (the registry says it exists);
a missing one gets a signed URL of the crop view, which makes it on first request; in Thumbor mode every
crop is a Thumbor URL carrying the stored box. Files without a measured size fall back to the original.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, Sequence

from smartcrop_core import Box, ratio_label

from . import conf, renditions
from .signing import CropRequest, crop_url, ratio_to_url
from .specs import CropSpec, spec_for
from .thumbor import thumbor_url

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile


@dataclass(frozen=True)
class CropLink:
    """One usable image URL; ``spec`` is None when it is the uncropped original."""

    url: str
    width: int | None
    height: int | None
    spec: CropSpec | None = None
    kind: Literal["file", "view", "thumbor", "original"] = "original"

    @property
    def box(self) -> Box | None:
        return self.spec.box if self.spec else None


def links(field_file: "FieldFile", ratio: str | float, widths: Sequence[int | None] = (None,),
          height: int | None = None, image_format: str | None = None, served: bool = True) -> list[CropLink]:
    """One link per requested width (deduplicated after clamping), smallest first; [] without a file.

    ``image_format`` ("WEBP", "AVIF") asks for the crop in that format instead of the source's own.
    ``served=False`` leaves every crop as a view link, for a caller that gathers the links of several
    calls and asks the registry once with :func:`serve`.
    """
    if not field_file:
        return []
    label = ratio_label(ratio)
    specs: list[CropSpec] = []
    for width in widths:
        spec = spec_for(field_file, label, width, height if width is None else None)
        if spec is not None and image_format:
            spec = replace(spec, format=image_format)
        if spec is None:
            return [original(field_file)]
        if all(s.width != spec.width for s in specs):
            specs.append(spec)
    specs.sort(key=lambda s: s.width)
    if conf.setting("URL_MODE") == "thumbor":
        return [CropLink(thumbor_url(s, field_file), s.width, s.height, s, "thumbor") for s in specs]
    by_height = height is not None and list(widths) == [None]
    result = []
    for spec in specs:
        size = (f"h{spec.height}" if by_height else f"w{spec.width}") + format_suffix(image_format)
        result.append(CropLink(crop_url(request_for(field_file, spec.ratio, size)), spec.width, spec.height, spec, "view"))
    return serve(result) if served else result


def serve(found: Sequence[CropLink]) -> list[CropLink]:
    """The same links, each crop that exists pointing at its file: one registry lookup for all of them."""
    existing = renditions.known(link.spec.name for link in found if link.kind == "view" and link.spec)
    if not existing:
        return list(found)
    storage = conf.crop_storage()
    return [replace(link, url=storage.url(link.spec.name), kind="file")
            if link.kind == "view" and link.spec and link.spec.name in existing else link for link in found]


def format_suffix(image_format: str | None) -> str:
    """The crop URL's size part names a format other than the source's: ``w800.webp``."""
    return f".{image_format.lower()}" if image_format else ""


def request_for(field_file: "FieldFile", ratio: str, size: str) -> CropRequest:
    instance = field_file.instance
    return CropRequest(model=instance._meta.label_lower, pk=str(instance.pk), field=field_file.field.name,
                       ratio=ratio_to_url(ratio), size=size)


def original(field_file: "FieldFile") -> CropLink:
    """The uncropped file: for images that could not be measured (or are still pending without a size)."""
    state = getattr(field_file, "smartcrop", None)
    width = state.width if state is not None and state.has_size else None
    height = state.height if state is not None and state.has_size else None
    return CropLink(field_file.url, width, height, None)
