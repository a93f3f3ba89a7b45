"""Responsive markup for a crop: ``<img>`` with srcset, width and height, and ``<picture>`` with modern formats.

What Wagtail's ``{% srcset_image %}``/``{% picture %}`` and sorl users expect:
- one width asked for (``width=800``): ``src`` is the 800 px crop and the srcset adds the 2x crop
  (``url 1x, url2 2x``; less than 2x when the source region is smaller, none when it is not larger);
- a list of widths (``widths="400,800,1200"``): a ``w`` srcset of those crops and ``sizes`` (given, or
  the requested width's ``(max-width: 800px) 100vw, 800px``, else ``100vw``); ``src`` is the requested
  width's crop, or the first width listed;
- ``width``/``height`` attributes always those of ``src``, so the browser reserves the right box (no
  layout shift) whichever candidate it picks;
- ``<picture>``: one ``<source type="image/avif">`` / ``image/webp`` per format with the same candidates,
  then the ``<img>`` in the source's own format as the fallback.
Building the markup reads only the model's JSON and the crop registry: no storage call, no decode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from smartcrop_core import RatioError

from .links import CropLink, links, serve

#: ``formats=`` names -> (format given to the crop pipeline, MIME type of the <source>).
PICTURE_FORMATS = {"avif": ("AVIF", "image/avif"), "webp": ("WEBP", "image/webp")}
DEFAULT_PICTURE_FORMATS = ("avif", "webp")


@dataclass(frozen=True)
class Candidates:
    """The crops a srcset offers, the one ``src`` shows, and how the srcset describes them."""

    links: tuple[CropLink, ...]
    chosen: CropLink
    by_density: bool  # "1x, 2x" (one width asked for) rather than "400w, 800w"
    by_height: bool = False  # densities from heights (the size asked for), not from rounded widths

    @property
    def srcset(self) -> str:
        """Empty for a single candidate (or the uncropped original)."""
        if len(self.links) < 2:
            return ""
        if self.by_density:
            return ", ".join(f"{link.url} {_density(link, self.chosen, self.by_height)}x" for link in self.links)
        return ", ".join(f"{link.url} {link.width}w" for link in self.links)


@dataclass(frozen=True)
class PictureSource:
    mime: str
    candidates: Candidates


@dataclass(frozen=True)
class CropResult:
    """What ``as crop`` exposes; printing it gives the <img> (or the <picture> of ``smartcrop_picture``)."""

    ratio: str
    candidates: Candidates
    sizes: str | None
    attrs: tuple[tuple[str, str], ...]
    sources: tuple[PictureSource, ...] = ()

    @property
    def links(self) -> tuple[CropLink, ...]:
        return self.candidates.links

    @property
    def chosen(self) -> CropLink:
        return self.candidates.chosen

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
    def box_source(self) -> str | None:
        """"manual", "auto" or "centre"; None for the uncropped original."""
        return self.chosen.spec.box_source if self.chosen.spec else None

    @property
    def srcset(self) -> str:
        return self.candidates.srcset

    @property
    def img(self) -> SafeString:
        attributes: list[tuple[str, Any]] = [("src", self.url)]
        attributes += self._srcset_attributes(self.candidates, source=False)
        if self.width and self.height:
            attributes += [("width", self.width), ("height", self.height)]
        given = dict(self.attrs)
        given.setdefault("alt", "")
        attributes += list(given.items())
        return format_html("<img {}>", _join(attributes))

    @property
    def picture(self) -> SafeString:
        sources = format_html_join("", "<source {}>", (
            (_join([("type", source.mime), *self._srcset_attributes(source.candidates, source=True)]),)
            for source in self.sources))
        return format_html("<picture>{}{}</picture>", sources, self.img)

    def _srcset_attributes(self, candidates: Candidates, source: bool) -> list[tuple[str, Any]]:
        """srcset (and sizes for a ``w`` list); a <source> needs a srcset even for one candidate."""
        srcset = candidates.srcset or (candidates.chosen.url if source else "")
        if not srcset:
            return []
        if candidates.by_density or not candidates.srcset or not self.sizes:
            return [("srcset", srcset)]
        return [("srcset", srcset), ("sizes", self.sizes)]

    def __html__(self) -> str:
        return str(self.picture if self.sources else self.img)

    def __str__(self) -> str:
        return self.__html__()


def candidates(field_file: Any, ratio: str, width: int | None, height: int | None,
               widths: Sequence[int | None] | None, image_format: str | None = None,
               served: bool = True) -> Candidates | None:
    """The crops to offer; None without a file. Raises RatioError for an invalid ratio or size.

    ``served=False``: every crop as a view link, for :func:`serve_all` to resolve with the others.
    """
    found = _view_candidates(field_file, ratio, width, height, widths, image_format)
    return serve_all([found])[0] if served and found is not None else found


def _view_candidates(field_file: Any, ratio: str, width: int | None, height: int | None,
                     widths: Sequence[int | None] | None, image_format: str | None) -> Candidates | None:
    if widths:
        requested = list(widths) + ([width] if width is not None and width not in widths else [])
        found = links(field_file, ratio, requested, None, image_format, served=False)
        if not found:
            return None
        target = width if width is not None else widths[0]
        chosen = _closest(found, target)
        return Candidates(tuple(found), chosen, by_density=False)
    found = links(field_file, ratio, [width], height, image_format, served=False)
    if not found:
        return None
    chosen, by_height = found[0], width is None and height is not None
    double = _double(field_file, ratio, chosen, by_height, image_format)
    offered = (chosen, double) if double is not None else (chosen,)
    return Candidates(offered, chosen, by_density=True, by_height=by_height)


def _double(field_file: Any, ratio: str, chosen: CropLink, by_height: bool,
            image_format: str | None) -> CropLink | None:
    """The 2x crop (asked the way the 1x was: by width or by height), None when no larger crop exists.

    Best effort: a 2x beyond the size bounds is simply not offered; the 1x stands.
    """
    if chosen.spec is None or not chosen.width or not chosen.height:
        return None
    try:
        (double,) = (links(field_file, ratio, [None], 2 * chosen.height, image_format, served=False) if by_height
                     else links(field_file, ratio, [2 * chosen.width], None, image_format, served=False))
    except RatioError:
        return None
    return double if double.width and double.width > chosen.width else None


def serve_all(groups: Sequence[Candidates]) -> list[Candidates]:
    """The same candidates, every crop that exists served from its file: one registry lookup for all
    (an <img> with 1x and 2x and two <picture> formats asks once, not six times)."""
    flat = list(dict.fromkeys(link for group in groups for link in (*group.links, group.chosen)))
    served = dict(zip(flat, serve(flat)))
    return [Candidates(tuple(served[link] for link in group.links), served[group.chosen], group.by_density,
                       group.by_height) for group in groups]


def default_sizes(width: int | None) -> str:
    """``sizes`` for a ``w`` srcset when the template gives none: full width up to the requested width."""
    return f"(max-width: {width}px) 100vw, {width}px" if width else "100vw"


def _closest(found: list[CropLink], width: int | None) -> CropLink:
    """The link of the requested width, as clamped and deduplicated by links()."""
    if width is None:
        return found[0]
    return next((link for link in found if link.width is not None and link.width >= width), found[-1])


def _density(link: CropLink, base: CropLink, by_height: bool) -> str:
    if by_height:
        return f"{round((link.height or 1) / (base.height or 1), 2):g}"
    return f"{round((link.width or 1) / (base.width or 1), 2):g}"


def _join(attributes: list[tuple[str, Any]]) -> SafeString:
    return format_html_join(" ", '{}="{}"', attributes)
