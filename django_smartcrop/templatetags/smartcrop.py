"""Template tags: ``{% load smartcrop %}``.

    {% smartcrop obj.image "16:9" width=800 alt="A view" class="hero" %}     an <img>
    {% smartcrop obj.image "16:9" width=800 as crop %}{{ crop.url }} {{ crop.width }}x{{ crop.height }}
    {% smartcrop obj.image "16:9" widths="400,800,1200" sizes="100vw" %}      an <img> with srcset
    {{ obj.image|smartcrop_url:"16:9@800" }}                                  a URL
    style="object-fit: cover; object-position: {{ obj.image|smartcrop_position:'16:9' }}"

Rendering reads only the model's JSON and the crop registry: no storage call, no image decode.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from smartcrop_core import RatioError, ratio_label

from ..heatmap import heatmap_data_uri
from ..links import CropLink, links
from ..specs import state_of

register = template.Library()
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CropResult:
    """What ``as crop`` exposes; printing it gives the <img> element."""

    ratio: str
    links: tuple[CropLink, ...]
    chosen: CropLink
    sizes: str | None
    attrs: tuple[tuple[str, str], ...]

    @property
    def url(self) -> str:
        return self.chosen.url

    @property
    def width(self) -> int | None:
        return self.chosen.width

    @property
    def height(self) -> int | None:
        return self.chosen.height

    @property
    def box(self) -> Any:
        return self.chosen.box

    @property
    def srcset(self) -> str:
        """``url 400w, url 800w``; empty for a single size or the uncropped original."""
        if len(self.links) < 2:
            return ""
        return ", ".join(f"{link.url} {link.width}w" for link in self.links)

    @property
    def img(self) -> SafeString:
        attributes: list[tuple[str, Any]] = [("src", self.url)]
        if self.srcset:
            attributes.append(("srcset", self.srcset))
            if self.sizes:
                attributes.append(("sizes", self.sizes))
        if self.width and self.height:
            attributes += [("width", self.width), ("height", self.height)]
        given = dict(self.attrs)
        given.setdefault("alt", "")
        attributes += list(given.items())
        return format_html("<img {}>", format_html_join(" ", '{}="{}"', attributes))

    def __html__(self) -> str:
        return str(self.img)

    def __str__(self) -> str:
        return str(self.img)


@register.simple_tag(name="smartcrop")
def smartcrop_tag(field_file: Any, ratio: Any, width: Any = None, height: Any = None, widths: Any = None,
                  sizes: str | None = None, **attrs: Any) -> CropResult | str:
    """An <img> of the crop (or, with ``as name``, the CropResult). Empty output without a file.

    Sizes are bounded (never above SMARTCROP_MAX_SIZE, nor the source region unless SMARTCROP_UPSCALE),
    and a ratio or size that is not valid (a typo, or a value a visitor put in a query string) renders
    nothing and logs a warning, rather than failing the whole page.
    """
    try:
        requested = _widths(widths) if widths else [_int(width)]
        found = links(field_file, ratio, requested, _int(height)) if field_file else []
    except RatioError as error:
        logger.warning("smartcrop: {%% smartcrop %%} ignored: %s", error)
        return ""
    if not found:
        return ""
    wanted = _int(width)
    chosen = next((link for link in found if wanted is not None and link.width is not None and link.width >= wanted),
                  found[-1])
    clean_attrs = tuple((_attribute_name(k), "" if v is None else str(v)) for k, v in attrs.items())
    return CropResult(ratio_label(ratio), tuple(found), chosen, sizes, clean_attrs)


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
