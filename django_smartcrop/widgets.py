"""The admin widget: the usual file input, and below it the image with its saliency heat map and the
crop box of every configured ratio. An editor picks a ratio, then clicks a point or drags the box to
override the automatic crop, and drags its corner handle to zoom; "Automatic" clears the override. The boxes travel as JSON in a hidden
input next to the file input (see forms.EditorInput)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.admin.widgets import AdminFileWidget
from smartcrop_core import largest_size, parse_ratio

from .forms import EditorInput
from .heatmap import heatmap_data_uri
from .state import CropState

#: Suffix of the hidden input that carries the overrides.
OVERRIDES_SUFFIX = "__smartcrop_overrides"


class SmartCropAdminWidget(AdminFileWidget):
    template_name = "django_smartcrop/widget.html"

    class Media:
        js = ("django_smartcrop/editor.js",)
        css = {"all": ("django_smartcrop/editor.css",)}

    def __init__(self, attrs: dict[str, Any] | None = None, ratios: tuple[str, ...] = ()) -> None:
        super().__init__(attrs)
        self.ratios = tuple(ratios)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["smartcrop"] = self.editor_context(name, value)
        return context

    def editor_context(self, name: str, value: Any) -> dict[str, Any] | None:
        """What the editor needs, or None when there is no stored, measured image to edit."""
        state: CropState | None = getattr(value, "smartcrop", None)
        if not value or not getattr(value, "url", None) or state is None or state.name != value.name:
            return None
        boxes = []
        if state.has_size:
            for label in self.ratios:
                resolved = state.box(label)
                automatic = CropState(name=state.name, source=state.source, width=state.width,
                                      height=state.height, analysis=state.analysis).box(label)
                if resolved is None or automatic is None:
                    continue
                boxes.append({"ratio": label, "box": resolved[0].as_list(), "auto": automatic[0].as_list(),
                              "largest": list(largest_size(state.width, state.height, parse_ratio(label))),
                              "source": resolved[1]})
        data = {"width": state.width, "height": state.height, "boxes": boxes}
        return {
            "input_name": name + OVERRIDES_SUFFIX,
            "overrides": json.dumps(state.overrides),
            "data": data,
            "data_id": f"{name}-smartcrop-data",
            "image_url": value.url,
            "heatmap": heatmap_data_uri(state),
            "manual": [box["ratio"] for box in boxes if box["source"] == "manual"],
            "status": state.status,
            "error": state.error,
            "model": state.model,
        }

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        upload = super().value_from_datadict(data, files, name)
        raw = data.get(name + OVERRIDES_SUFFIX)
        if raw is None:
            return upload
        return EditorInput(upload, raw)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return super().value_omitted_from_data(data, files, name) and name + OVERRIDES_SUFFIX not in data
