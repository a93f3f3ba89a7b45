"""What the companion JSONField holds for one image file, and which crop box wins for a ratio.

The JSON is the single source of truth about an image's saliency: the core's lossless analysis dict,
the upright size, a hash of the file's bytes, an error if the analysis failed, and the editor's manual
boxes. Box precedence: a manual override, else the analysis' box, else a centre box (so a failed
analysis still crops sensibly), else nothing (the file could not even be measured).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal

import numpy as np
from smartcrop_core import Analysis, Box, CropOptions, Point, parse_ratio, ratio_label
from smartcrop_core.geometry import largest_size

logger = logging.getLogger(__name__)

STATE_VERSION = 1
Status = Literal["ok", "error", "pending"]
BoxSource = Literal["manual", "auto", "centre"]
#: Model label used in crop names when no model was involved (centre fallback).
NO_MODEL = "none"


@dataclass(frozen=True)
class CropState:
    """The parsed contents of the companion JSONField."""

    name: str  # the file name this state describes; a different file name means "re-analyse"
    status: Status = "ok"
    source: str | None = None  # sha256 (32 hex) of the file's bytes
    width: int | None = None  # upright (EXIF-oriented) pixels
    height: int | None = None
    analysis: dict[str, Any] | None = None  # smartcrop_core Analysis.to_dict()
    error: str | None = None
    overrides: dict[str, list[int]] = field(default_factory=dict)  # ratio label -> [left, top, width, height]
    computed: str | None = None  # ISO time of the analysis

    # -- JSON ---------------------------------------------------------------------------------------

    @classmethod
    def from_value(cls, value: Any) -> "CropState | None":
        """Parse what the JSONField returned; None for empty or unusable values (never raises)."""
        if not isinstance(value, dict) or not value.get("name"):
            return None
        try:
            overrides = {
                ratio_label(label): [int(v) for v in box]
                for label, box in (value.get("overrides") or {}).items()
                if isinstance(box, (list, tuple)) and len(box) == 4
            }
            return cls(
                name=str(value["name"]),
                status=value.get("status", "ok"),
                source=value.get("source"),
                width=_int_or_none(value.get("width")),
                height=_int_or_none(value.get("height")),
                analysis=value.get("analysis") if isinstance(value.get("analysis"), dict) else None,
                error=value.get("error"),
                overrides=overrides,
                computed=value.get("computed"),
            )
        except (TypeError, ValueError) as error:
            logger.warning("ignoring unreadable smartcrop data: %s", error)
            return None

    def to_value(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "name": self.name,
            "status": self.status,
            "source": self.source,
            "width": self.width,
            "height": self.height,
            "model": self.model,
            "error": self.error,
            "overrides": {label: list(box) for label, box in self.overrides.items()},
            "computed": self.computed,
            "analysis": self.analysis,
        }

    # -- derived ------------------------------------------------------------------------------------

    @property
    def model(self) -> str | None:
        """"name@version" of the model that made the analysis, None when there is none."""
        return str(self.analysis["model"]) if self.analysis else None

    @property
    def has_size(self) -> bool:
        return bool(self.width and self.height)

    def core_analysis(self) -> Analysis | None:
        """The core Analysis (for heat maps and ratios not stored); None when missing or unreadable."""
        if not self.analysis:
            return None
        try:
            return _parse_analysis(self.analysis)
        except (KeyError, TypeError, ValueError) as error:
            logger.warning("ignoring unreadable analysis for %s: %s", self.name, error)
            return None

    def box(self, ratio: str | float) -> tuple[Box, BoxSource] | None:
        """The winning crop box for a ratio and where it came from; None when the size is unknown."""
        label = ratio_label(ratio)
        if not self.has_size:
            return None
        override = self.overrides.get(label)
        if override is not None:
            return fit_box(override, ratio, self.width, self.height), "manual"  # type: ignore[arg-type]
        if self.analysis:
            stored = (self.analysis.get("boxes") or {}).get(label)
            if stored is not None and len(stored) == 4:
                return Box(*map(int, stored)), "auto"
            analysis = self.core_analysis()
            if analysis is not None:
                return analysis.box(ratio), "auto"
        return centre_box(ratio, self.width, self.height), "centre"  # type: ignore[arg-type]

    def focal_point(self) -> tuple[float, float]:
        """The top salient point (normalised 0..1), or the centre when there is no analysis."""
        points = (self.analysis or {}).get("points") or []
        if points:
            return float(points[0][0]), float(points[0][1])
        return 0.5, 0.5

    def with_overrides(self, overrides: dict[str, list[int]]) -> "CropState":
        """A copy with these manual boxes (each fitted to its ratio and the image)."""
        fitted = {}
        for label, box in overrides.items():
            if self.has_size:
                fitted[ratio_label(label)] = fit_box(box, label, self.width, self.height).as_list()  # type: ignore[arg-type]
        return replace(self, overrides=fitted)


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def centre_box(ratio: str | float, width: int, height: int) -> Box:
    """The largest box of the ratio, centred: the fallback when there is no saliency."""
    box_width, box_height = largest_size(width, height, parse_ratio(ratio))
    return Box((width - box_width) // 2, (height - box_height) // 2, box_width, box_height)


def fit_box(values: "list[int] | tuple[int, ...] | Box", ratio: str | float, width: int, height: int) -> Box:
    """A manual box made valid: the ratio enforced (keeping its centre), no larger than the image, inside it.

    Editors (and stored JSON) may send boxes off by a pixel or outside the image; the crop must not be.
    """
    left, top, box_width, box_height = values.as_list() if isinstance(values, Box) else [int(v) for v in values]
    value = parse_ratio(ratio)
    max_width, max_height = largest_size(width, height, value)
    centre_x, centre_y = left + box_width / 2, top + box_height / 2
    new_width = max(1, min(max_width, box_width if box_width > 0 else max_width))
    new_height = max(1, round(new_width / value))
    if new_height > max_height:
        new_height = max_height
        new_width = max(1, min(max_width, round(new_height * value)))
    new_left = min(max(0, round(centre_x - new_width / 2)), width - new_width)
    new_top = min(max(0, round(centre_y - new_height / 2)), height - new_height)
    return Box(int(new_left), int(new_top), int(new_width), int(new_height))


def box_analysis(box: Box, ratio: str | float, width: int, height: int) -> Analysis:
    """A minimal Analysis whose stored box for ``ratio`` is ``box``: lets smartcrop_core.crop render any box."""
    return Analysis(
        width=width,
        height=height,
        grid=np.ones((1, 1), dtype=np.float32),
        points=(Point(0.5, 0.5, 1.0),),
        symmetry=0.0,
        model=NO_MODEL,
        boxes={ratio_label(ratio): box},
        options=CropOptions(),
    )


_parsed: dict[str, Analysis] = {}


def _parse_analysis(data: dict[str, Any]) -> Analysis:
    """Analysis.from_dict with a small cache keyed by the grid (pages render the same images often)."""
    key = json.dumps(data, sort_keys=True)
    analysis = _parsed.get(key)
    if analysis is None:
        analysis = Analysis.from_dict(data)
        if len(_parsed) > 256:
            _parsed.clear()
        _parsed[key] = analysis
    return analysis


def _int_or_none(value: Any) -> int | None:
    return None if value in (None, "") else int(value)
