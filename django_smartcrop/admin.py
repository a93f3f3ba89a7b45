"""Changelist columns for a ModelAdmin: a crop thumbnail, and which ratios an editor set by hand.

    from django_smartcrop.admin import crop_thumbnail, manual_crops

    @admin.register(Photo)
    class PhotoAdmin(admin.ModelAdmin):
        list_display = [crop_thumbnail("image"), "title", manual_crops("image")]

The change form needs nothing: a SmartCropImageField brings the crop editor itself. Both columns read
only the row's JSON and the crop registry (no storage call, no decode), like the template tags; a
missing thumbnail is made by the crop view on the first request, as on any page.
"""

from __future__ import annotations

from typing import Any, Callable

from django.contrib import admin
from django.utils.html import format_html
from smartcrop_core import RatioError

from .responsive import CropResult, candidates
from .specs import state_of

#: Width of the changelist thumbnail, in CSS pixels (a 2x crop is offered too).
THUMBNAIL_WIDTH = 80


def crop_thumbnail(field_name: str, ratio: str = "1:1", width: int = THUMBNAIL_WIDTH) -> Callable[[Any], Any]:
    """A list_display column showing the ``ratio`` crop of ``field_name``, ``width`` px wide."""

    @admin.display(description=f"crop {ratio}")
    def column(obj: Any) -> Any:
        field_file = getattr(obj, field_name)
        try:
            found = candidates(field_file, ratio, width, None, None) if field_file else None
        except RatioError:
            found = None
        if found is None:
            return "-"
        alt = f"{ratio} crop of {obj}"
        return CropResult(ratio, found, None, (("alt", alt), ("loading", "lazy"), ("class", "smartcrop-thumbnail"))).img

    column.__name__ = f"smartcrop_thumbnail_{field_name}"
    return column


def manual_crops(field_name: str) -> Callable[[Any], Any]:
    """A list_display column naming the ratios of ``field_name`` an editor set by hand ("-" for none)."""

    @admin.display(description="manual crops")
    def column(obj: Any) -> Any:
        field_file = getattr(obj, field_name)
        state = state_of(field_file) if field_file else None
        labels = sorted(state.overrides) if state is not None else []
        if not labels:
            return "-"
        return format_html('<span class="smartcrop-manual-list">{}</span>', ", ".join(labels))

    column.__name__ = f"smartcrop_manual_{field_name}"
    return column
