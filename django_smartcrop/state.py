"""What the companion JSONField holds for one image file: its parsed form and its JSON.

The JSON is the single source of truth about an image's saliency: the core's lossless analysis dict,
the upright size, a hash of the file's bytes, an error if the analysis failed, and the editor's manual
boxes. Which box wins for a ratio is decided in ``boxes``; ``CropState.box`` asks it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal

from smartcrop_core import Analysis, Box, ratio_label

from .boxes import BoxSource, fitted, winning_box

logger = logging.getLogger(__name__)

STATE_VERSION = 1
Status = Literal["ok", "error", "pending"]


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
        return winning_box(ratio, self.width, self.height, self.overrides, self.analysis, self.core_analysis)

    def focal_point(self) -> tuple[float, float]:
        """The top salient point (normalised 0..1), or the centre when there is no analysis."""
        points = (self.analysis or {}).get("points") or []
        if points:
            return float(points[0][0]), float(points[0][1])
        return 0.5, 0.5

    def with_overrides(self, overrides: dict[str, list[int]]) -> "CropState":
        """A copy with these manual boxes (each fitted to its ratio and the image; none without a size)."""
        if not self.has_size:
            return replace(self, overrides={})
        fitted_boxes = {ratio_label(label): fitted(box, label, self.width, self.height).as_list()  # type: ignore[arg-type]
                        for label, box in overrides.items()}
        return replace(self, overrides=fitted_boxes)


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


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
