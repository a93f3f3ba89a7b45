"""The result of analysing one image, and everything that can be derived from it without the image.

An ``Analysis`` holds the saliency grid quantised to 8 bits (so what is stored is exactly what is used:
a JSON round trip is lossless and boxes computed later equal the boxes computed now), the top points,
the image size and the left-right symmetry score Twitter's rule needs. ``box()`` computes a crop box
for any ratio from that alone.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from . import geometry
from .geometry import Box
from .ratios import RatioLike, parse_ratio, ratio_label

Strategy = Literal["mass", "twitter", "centre"]
STRATEGIES: tuple[str, ...] = ("mass", "twitter", "centre")
FORMAT_VERSION = 1
#: Twitter's threshold on its asymmetry score: below it the image counts as symmetric (centre crop).
SYMMETRY_THRESHOLD = 25.0


@dataclass(frozen=True)
class Point:
    """A salient point: normalised 0..1 coordinates of the upright image, score 0..1 (1 = the peak)."""

    x: float
    y: float
    score: float


@dataclass(frozen=True)
class CropOptions:
    """How a window is placed. ``closeness`` 0 keeps the largest box of the ratio; 1 shrinks it to the
    smallest box that still keeps ``min_mass`` of the saliency the largest box keeps."""

    strategy: Strategy = "mass"
    closeness: float = 0.0
    min_mass: float = 0.9
    symmetry_threshold: float = SYMMETRY_THRESHOLD

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; choose one of {', '.join(STRATEGIES)}")
        if not 0.0 <= self.closeness <= 1.0:
            raise ValueError(f"closeness must be within 0..1, got {self.closeness}")
        if not 0.0 < self.min_mass <= 1.0:
            raise ValueError(f"min_mass must be within (0, 1], got {self.min_mass}")


@dataclass(frozen=True, eq=False)
class Analysis:
    """Saliency of one image and its crop boxes (pixels of the EXIF-upright image)."""

    width: int
    height: int
    grid: np.ndarray  # float32 [rows, columns], sums to 1, exactly representable in 8 bits
    points: tuple[Point, ...]
    symmetry: float  # Twitter's asymmetry score; < SYMMETRY_THRESHOLD means "symmetric"
    model: str  # "name@version" of the model that made the grid
    boxes: dict[str, Box] = field(default_factory=dict)
    options: CropOptions = field(default_factory=CropOptions)

    @property
    def top_point(self) -> Point:
        return self.points[0]

    def box(self, ratio: RatioLike, options: CropOptions | None = None) -> Box:
        """The crop box for a ratio; stored boxes are reused when the options are the stored ones."""
        options = options or self.options
        if options == self.options:
            stored = self.boxes.get(ratio_label(ratio))
            if stored is not None:
                return stored
        return compute_box(self, parse_ratio(ratio), options)

    def with_boxes(self, ratios: "list[RatioLike] | tuple[RatioLike, ...]", options: CropOptions | None = None) -> "Analysis":
        """A copy with boxes for these ratios computed (and stored) under these options."""
        options = options or self.options
        boxes = {ratio_label(r): compute_box(self, parse_ratio(r), options) for r in ratios}
        return Analysis(self.width, self.height, self.grid, self.points, self.symmetry, self.model, boxes, options)

    def resized(self, width: int, height: int) -> "Analysis":
        """The same analysis for the same picture at another pixel size (a reduced copy analysed, say).

        Grid, points and symmetry are relative to the picture, so they carry over; the stored boxes
        are computed again at the new size (same ratios, same options), not scaled, so each keeps
        its ratio exactly.
        """
        for name, side in (("width", width), ("height", height)):
            if isinstance(side, bool) or not isinstance(side, int) or side < 1:
                raise ValueError(f"{name} must be a whole number of pixels >= 1, got {side!r}")
        plain = Analysis(width, height, self.grid, self.points, self.symmetry, self.model, options=self.options)
        return plain.with_boxes(list(self.boxes), self.options)

    # -- serialisation ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        rows, columns = self.grid.shape
        return {
            "format": FORMAT_VERSION,
            "width": self.width,
            "height": self.height,
            "model": self.model,
            "symmetry": self.symmetry,
            "grid": {"shape": [rows, columns], "uint8": base64.b64encode(quantise(self.grid).tobytes()).decode("ascii")},
            "points": [[p.x, p.y, p.score] for p in self.points],
            "boxes": {label: box.as_list() for label, box in self.boxes.items()},
            "options": {
                "strategy": self.options.strategy,
                "closeness": self.options.closeness,
                "min_mass": self.options.min_mass,
                "symmetry_threshold": self.options.symmetry_threshold,
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Analysis":
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported analysis format {data.get('format')!r}")
        rows, columns = data["grid"]["shape"]
        raw = np.frombuffer(base64.b64decode(data["grid"]["uint8"]), dtype=np.uint8).reshape(rows, columns)
        return cls(
            width=int(data["width"]),
            height=int(data["height"]),
            grid=dequantise(raw),
            points=tuple(Point(*map(float, p)) for p in data["points"]),
            symmetry=float(data["symmetry"]),
            model=str(data["model"]),
            boxes={label: Box(*map(int, values)) for label, values in data["boxes"].items()},
            options=CropOptions(**data.get("options", {})),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> "Analysis":
        return cls.from_dict(json.loads(text))


def compute_box(analysis: Analysis, ratio: float, options: CropOptions) -> Box:
    """Place the window for one ratio by the chosen strategy."""
    width, height = analysis.width, analysis.height
    if options.strategy == "centre":
        return geometry.largest_centred_box(width, height, ratio)
    if options.strategy == "twitter":
        box_size = geometry.largest_size(width, height, ratio)
        if analysis.symmetry < options.symmetry_threshold:
            return geometry.centre_box(width, height, *box_size)
        return geometry.place_on_point(analysis.top_point.x, analysis.top_point.y, width, height, *box_size)
    scale = 1.0
    if options.closeness > 0:
        tight = geometry.tight_scale(analysis.grid, width, height, ratio, options.min_mass)
        scale = 1.0 - options.closeness * (1.0 - tight)
    box_size = geometry.scaled_size(width, height, ratio, scale)
    return geometry.place_by_mass(analysis.grid, width, height, *box_size)


def quantise(grid: np.ndarray) -> np.ndarray:
    """8-bit grid, peak = 255: the stored form."""
    peak = float(grid.max())
    if not np.isfinite(peak) or peak <= 0:
        return np.full(grid.shape, 255, dtype=np.uint8)
    return np.clip(np.round(grid / peak * 255.0), 0, 255).astype(np.uint8)


def dequantise(raw: np.ndarray) -> np.ndarray:
    """Density (sums to 1) from the 8-bit grid."""
    values = raw.astype(np.float64)
    total = values.sum()
    if total <= 0:
        values = np.ones_like(values)
        total = values.sum()
    return (values / total).astype(np.float32)


def top_points(grid: np.ndarray, count: int = 5) -> tuple[Point, ...]:
    """Local maxima of the grid (3x3 neighbourhood), best first, at cell centres; never empty."""
    rows, columns = grid.shape
    padded = np.pad(grid, 1, mode="constant", constant_values=-np.inf)
    neighbourhood = np.max(
        [padded[dy : dy + rows, dx : dx + columns] for dy in range(3) for dx in range(3)], axis=0
    )
    peaks = np.argwhere(grid >= neighbourhood)
    order = np.argsort(-grid[peaks[:, 0], peaks[:, 1]], kind="stable")
    peak = float(grid.max()) or 1.0
    points = []
    for row, column in peaks[order][:count]:
        points.append(
            Point(
                round(float((column + 0.5) / columns), 4),
                round(float((row + 0.5) / rows), 4),
                round(float(grid[row, column]) / peak, 4),
            )
        )
    return tuple(points)


def symmetry_score(rgb: np.ndarray, percentile: float = 95.0, size: int = 10) -> float:
    """Twitter's asymmetry score of an RGB array: low means left-right symmetric.

    Downsample to size x size, compare with the mirror image, take the 95th percentile of the absolute
    differences, normalised by (max - min + 10) of the differences and scaled by 137.
    """
    from PIL import Image

    small = np.asarray(Image.fromarray(rgb).resize((size, size), Image.LANCZOS)).astype(int)
    differences = np.abs(small - small[:, ::-1]).ravel()
    score = np.percentile(differences, percentile)
    return round(float(score / (differences.max() - differences.min() + 10.0) * 137.0), 4)
