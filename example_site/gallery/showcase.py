"""What the showcase page shows per photo: for each ratio, where the crop came from and how much of the
predicted attention it keeps next to a plain centre crop (the value of smartcrop, made visible).

"Attention kept" is the share of the model's saliency inside the box, read from the stored grid: no
image decode, no model run. It is the model's own opinion, not human fixations (benchmarks/ measures those).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from smartcrop_core import Box, largest_centred_box, parse_ratio, window_masses

from django_smartcrop.state import CropState

from . import overlays

SOURCE_LABELS = {"manual": "manual (set by an editor)", "auto": "automatic", "centre": "centre (no saliency)"}


@dataclass(frozen=True)
class RatioView:
    ratio: str
    source: str  # "manual", "auto" or "centre"
    kept: float | None  # share of the saliency inside the box used, 0..1
    centre_kept: float | None  # ... inside the centre box of that ratio

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def kept_text(self) -> str:
        return _percent(self.kept)

    @property
    def centre_text(self) -> str:
        return _percent(self.centre_kept)

    @property
    def css_ratio(self) -> str:
        return self.ratio.replace(":", " / ")


@dataclass(frozen=True)
class PhotoView:
    photo: Any  # a gallery Photo
    ratios: tuple[RatioView, ...]
    overlay_url: str | None

    @property
    def manual(self) -> list[str]:
        return [view.ratio for view in self.ratios if view.source == "manual"]


def photo_view(photo: Any, ratios: tuple[str, ...], overlay_view_url: str) -> PhotoView:
    state: CropState | None = photo.image.smartcrop
    views = []
    for label in ratios:
        resolved = state.box(label) if state is not None else None
        if resolved is None:
            continue
        box, source = resolved
        centre = largest_centred_box(state.width, state.height, parse_ratio(label))  # type: ignore[arg-type, union-attr]
        views.append(RatioView(label, source, _mass(state, box), _mass(state, centre)))
    overlay_url = None
    if state is not None and state.analysis:
        name = overlays.overlay_name(photo.pk, state, ratios)
        overlay_url = overlays.known_url(name) or overlay_view_url
    return PhotoView(photo, tuple(views), overlay_url)


def gallery_summary(views: list[PhotoView]) -> dict[str, str | int] | None:
    """Mean attention kept over the gallery, ours vs centre crops (None without analysed photos)."""
    pairs = [(r.kept, r.centre_kept) for v in views for r in v.ratios if r.kept is not None and r.centre_kept is not None]
    if not pairs:
        return None
    ours, centre = np.mean(pairs, axis=0)
    return {"photos": sum(1 for v in views if v.ratios and v.ratios[0].kept is not None),
            "crops": len(pairs), "ours": _percent(float(ours)), "centre": _percent(float(centre))}


def _mass(state: CropState, box: Box) -> float | None:
    analysis = state.core_analysis()
    if analysis is None:
        return None
    masses = window_masses(analysis.grid.astype(np.float64), (analysis.width, analysis.height),
                           (box.width, box.height), np.array([box.left]), np.array([box.top]))
    return float(masses[0, 0] / max(float(analysis.grid.sum()), 1e-12))


def _percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.0f}%"
