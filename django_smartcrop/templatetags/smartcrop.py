"""Template tags: ``{% load smartcrop %}``.

    {% smartcrop obj.image "16:9" width=800 alt="A view" class="hero" %}     <img>, srcset 1x + 2x
    {% smartcrop obj.image "16:9" width=800 widths="400,800,1200" sizes="100vw" %}   <img>, w srcset
    {% smartcrop obj.image "16:9" width=800 as crop %}{{ crop.url }} {{ crop.width }}x{{ crop.height }}
    {% smartcrop_picture obj.image "16:9" width=800 formats="avif,webp" %}    <picture>: AVIF, WebP, <img>
    {{ obj.image|smartcrop_url:"16:9@800" }}                                  a URL
    style="object-fit: cover; object-position: {{ obj.image|smartcrop_position:'16:9' }}"

``src``, ``width`` and ``height`` are those of the requested width (the first of ``widths`` without
one); see django_smartcrop.responsive for the markup rules. Rendering reads only the model's JSON and
the crop registry: no storage call, no image decode.
"""

from __future__ import annotations

import logging
from typing import Any

from django import template
from smartcrop_core import RatioError, ratio_label

from ..heatmap import heatmap_data_uri
from ..links import links
from ..responsive import (DEFAULT_PICTURE_FORMATS, PICTURE_FORMATS, CropResult, PictureSource, candidates,
                          default_sizes, serve_all)
from ..specs import output_format, state_of

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(name="smartcrop")
def smartcrop_tag(field_file: Any, ratio: Any, width: Any = None, height: Any = None, widths: Any = None,
                  sizes: str | None = None, **attrs: Any) -> CropResult | str:
    """An <img> of the crop (or, with ``as name``, the CropResult). Empty output without a file.

    Sizes are bounded (never above SMARTCROP_MAX_SIZE, nor the source region unless SMARTCROP_UPSCALE),
    and a ratio or size that is not valid (a typo, or a value a visitor put in a query string) renders
    nothing and logs a warning, rather than failing the whole page.
    """
    return _result(field_file, ratio, width, height, widths, sizes, attrs, formats=None)


@register.simple_tag(name="smartcrop_picture")
def smartcrop_picture_tag(field_file: Any, ratio: Any, width: Any = None, height: Any = None, widths: Any = None,
                          sizes: str | None = None, formats: Any = ",".join(DEFAULT_PICTURE_FORMATS),
                          **attrs: Any) -> CropResult | str:
    """A <picture>: a <source> per format of ``formats`` ("avif,webp"), then the <img> of the tag above."""
    return _result(field_file, ratio, width, height, widths, sizes, attrs, formats=str(formats))


def _result(field_file: Any, ratio: Any, width: Any, height: Any, widths: Any, sizes: str | None,
            attrs: dict[str, Any], formats: str | None) -> CropResult | str:
    try:
        wanted, listed = _int(width), (_widths(widths) if widths else None)
        found = candidates(field_file, ratio, wanted, _int(height), listed, served=False) if field_file else None
        sources = _sources(field_file, ratio, wanted, _int(height), listed, formats) if found else ()
    except RatioError as error:
        logger.warning("smartcrop: {%% smartcrop %%} ignored: %s", error)
        return ""
    if found is None:
        return ""
    found, *served = serve_all([found, *(source.candidates for source in sources)])
    sources = tuple(PictureSource(source.mime, group) for source, group in zip(sources, served))
    if listed and not sizes:
        sizes = default_sizes(found.chosen.width if wanted is not None else None)
    clean_attrs = tuple((_attribute_name(k), "" if v is None else str(v)) for k, v in attrs.items())
    return CropResult(ratio_label(ratio), found, sizes, clean_attrs, sources)


def _sources(field_file: Any, ratio: Any, width: int | None, height: int | None, widths: Any,
             formats: str | None) -> tuple[PictureSource, ...]:
    """One <source> per requested format other than the fallback's own; none for the uncropped original."""
    if not formats:
        return ()
    own = output_format(field_file.name)
    result = []
    for name in (part.strip().lower() for part in formats.split(",") if part.strip()):
        if name not in PICTURE_FORMATS:
            raise RatioError(f"smartcrop_picture: unknown format {name!r} (known: {', '.join(PICTURE_FORMATS)})")
        image_format, mime = PICTURE_FORMATS[name]
        if image_format == own:
            continue
        found = candidates(field_file, ratio, width, height, widths, image_format, served=False)
        if found is None or found.chosen.spec is None:
            return ()
        result.append(PictureSource(mime, found))
    return tuple(result)


@register.filter
def smartcrop_url(field_file: Any, spec: str) -> str:
    """``"16:9"`` (largest crop) or ``"16:9@800"`` / ``"16:9 800"`` (800 px wide); "" for an invalid spec."""
    if not field_file:
        return ""
    parts = str(spec).replace("@", " ").replace(",", " ").split()
    try:
        if not parts or len(parts) > 2:
            raise RatioError(f"smartcrop_url wants 'RATIO' or 'RATIO@WIDTH', got {spec!r}")
        found = links(field_file, parts[0], [_int(parts[1]) if len(parts) == 2 else None])
    except RatioError as error:
        logger.warning("smartcrop: smartcrop_url ignored: %s", error)
        return ""
    return found[-1].url if found else ""


@register.filter
def smartcrop_position(field_file: Any, ratio: str | None = None) -> str:
    """CSS ``object-position`` for ``object-fit: cover``.

    With a ratio: the position that shows exactly that ratio's crop box when the element has that ratio.
    Without: the top salient point. "50% 50%" when nothing is known.
    """
    state = state_of(field_file) if field_file else None
    if state is None or not state.has_size:
        return "50% 50%"
    if ratio:
        try:
            resolved = state.box(ratio)
        except RatioError as error:
            logger.warning("smartcrop: smartcrop_position ignored: %s", error)
            return "50% 50%"
        if resolved is not None:
            box = resolved[0]
            x = 100 * box.left / (state.width - box.width) if state.width > box.width else 50.0  # type: ignore[operator]
            y = 100 * box.top / (state.height - box.height) if state.height > box.height else 50.0  # type: ignore[operator]
            return f"{x:.1f}% {y:.1f}%"
    x, y = state.focal_point()
    return f"{100 * x:.1f}% {100 * y:.1f}%"


@register.filter
def smartcrop_heatmap(field_file: Any) -> str:
    """A data: URI of the saliency heat map (to lay over the image), empty without an analysis."""
    return (heatmap_data_uri(state_of(field_file)) or "") if field_file else ""


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RatioError(f"smartcrop: not a size: {value!r}") from None


def _widths(value: Any) -> list[int | None]:
    if isinstance(value, (list, tuple)):
        return [_int(v) for v in value]
    return [_int(v) for v in str(value).replace(" ", "").split(",") if v]


def _attribute_name(name: str) -> str:
    """``data_id`` -> ``data-id`` (template keyword names cannot contain hyphens)."""
    return name.replace("_", "-")
