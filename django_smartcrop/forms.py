"""The form side of SmartCropImageField: the file as usual, plus the admin editor's manual boxes.

The editor widget returns an :class:`EditorInput` (the upload and the posted overrides) instead of the
bare upload; the form field validates both, and the model field's ``save_form_data`` applies the boxes.
Forms without the editor (an upload form on a public site) behave exactly like ``forms.ImageField``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from smartcrop_core import RatioError, ratio_label


@dataclass(frozen=True)
class EditorInput:
    """What the editor widget posts: the file input's value and the manual boxes (None = not sent)."""

    upload: Any
    overrides: dict[str, list[int]] | None


def parse_overrides(raw: Any) -> dict[str, list[int]]:
    """``{"16:9": [left, top, width, height], ...}`` from posted JSON; raises ValidationError."""
    if raw in (None, ""):
        return {}
    try:
        value = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
    except ValueError:
        raise ValidationError("The crop editor sent unreadable data.", code="smartcrop_json") from None
    if not isinstance(value, dict):
        raise ValidationError("The crop editor sent unreadable data.", code="smartcrop_json")
    overrides: dict[str, list[int]] = {}
    for label, box in value.items():
        try:
            key = ratio_label(label)
        except RatioError:
            raise ValidationError("Unknown aspect ratio %(ratio)s.", params={"ratio": label}, code="smartcrop_ratio") from None
        if box is None:
            continue
        if not isinstance(box, (list, tuple)) or len(box) != 4:
            raise ValidationError("A crop box needs four numbers.", code="smartcrop_box")
        try:
            numbers = [int(round(float(v))) for v in box]
        except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity, 1e400, 500-digit integers
            raise ValidationError("A crop box needs four numbers.", code="smartcrop_box") from None
        if numbers[2] < 1 or numbers[3] < 1:
            raise ValidationError("A crop box must not be empty.", code="smartcrop_box")
        overrides[key] = numbers
    return overrides


class SmartCropFormField(forms.ImageField):
    """forms.ImageField that also accepts the editor's EditorInput."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, EditorInput):
            overrides = parse_overrides(data.overrides)
            return EditorInput(super().clean(data.upload, initial), overrides)
        return super().clean(data, initial)

    def bound_data(self, data: Any, initial: Any) -> Any:
        if isinstance(data, EditorInput):
            data = data.upload
        return super().bound_data(data, initial)

    def has_changed(self, initial: Any, data: Any) -> bool:
        if isinstance(data, EditorInput):
            if data.upload is not None:
                return super().has_changed(initial, data.upload)
            state = getattr(initial, "smartcrop", None)
            try:
                posted = parse_overrides(data.overrides)
            except ValidationError:
                return True
            return posted != (state.overrides if state is not None else {})
        return super().has_changed(initial, data)
